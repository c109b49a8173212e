// expect: error
// message: not a valid constructor|process
// line: 6
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const proc = ctx.handle.constructor('return process')();
    return proc.getBuiltinModule('node:fs').readFileSync('/etc/passwd', 'utf8');
  });
}

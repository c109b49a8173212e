// expect: error
// message: not a valid constructor
// The learner's own Function constructor evaluates in the compartment: no host globals there.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const proc = (function () {}).constructor('return process')();
    return proc.getBuiltinModule('node:fs').readFileSync('/etc/passwd', 'utf8');
  });
}

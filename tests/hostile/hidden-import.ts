// expect: error
// message: import expression|rejected|refus
// Dynamic import hidden in a string evaluated by the compartment's Function.
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    const f = new Function('m', 'return imp' + 'ort(m)');
    const fs = await f('node:fs');
    return String(fs.readFileSync('/etc/passwd'));
  });
}

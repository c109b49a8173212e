// expect: timeout
// message: time limit|Превышено время
// A synchronous hang without any loop statement (catastrophic regex
// backtracking): only the host's wall-clock kill can stop it.
export function service(ctx: any) {
  ctx.handle('ping', () => /^(a+)+$/.test('a'.repeat(40) + 'b'));
}

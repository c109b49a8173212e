// expect: compile-error
// message: Syntax error
// line: 5
export function service(ctx: any) {
  ctx.handle('ping', () => { return 1 + ; });
}

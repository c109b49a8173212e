// expect: error
// message: Maximum call stack
function down(n: number): number {
  return down(n + 1) + 1;
}
export function service(ctx: any) {
  ctx.handle('ping', () => down(0));
}

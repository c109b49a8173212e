// expect: error
// message: infinite loop|бесконечный цикл
// line: 5
let n = 0;
while (true) {
  n++;
}
export function service(ctx: any) {
  ctx.handle('ping', () => n);
}

// expect: timeout
// message: time limit|Превышено время
// Code built at run time (Function constructor) is not transpiled, so it has no
// loop guard: the host's wall clock must end it.
export function service(ctx: any) {
  ctx.handle('ping', () => new Function('while (true) {}')());
}

// expect: error
// message: 42
export function service(ctx: any) {
  ctx.handle('ping', () => {
    throw 42;
  });
}

// expect: error
// message: null
export function service(ctx: any) {
  ctx.handle('ping', () => {
    throw null;
  });
}

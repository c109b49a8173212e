// expect: error
// message: \{"code":7\}
export function service(ctx: any) {
  ctx.handle('ping', () => {
    throw { code: 7 };
  });
}

// expect: did-not-finish
export function service(ctx: any) {
  ctx.handle('ping', () => new Promise(() => {}));
}

// expect: event-budget
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    while (true) await ctx.sleep(0);
  });
}

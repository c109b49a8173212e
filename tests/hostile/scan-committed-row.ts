// expect: error
// message: contained
// A scan filter function was called with the committed row itself: the frozen
// object the database keeps and the judge reads (an identity to hold on to).
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    await ctx.db.put('t', { id: 1, v: 'x' });
    let seen: any;
    ctx.db.scan('t', (r: any) => {
      seen = r;
      return true;
    });
    if (!seen) return 'the filter never ran (the case cannot decide)';
    if (Object.isFrozen(seen)) return 'ESCAPED: the filter saw the committed row';
    throw new Error('contained: the filter sees a copy');
  });
}

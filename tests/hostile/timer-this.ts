// expect: error
// message: contained
// A plain `function` given to ctx.setTimer ran with the kernel's timer record
// as `this` (record → incarnation → node → database store, PRNG, handlers).
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    let self: any = 'never called';
    await new Promise<void>((resolve) => ctx.setTimer(function (this: any) { self = this; resolve(); }, 1));
    if (self !== undefined) return `ESCAPED: timer this = ${Object.keys(Object(self)).join(',')}`;
    throw new Error('contained: the timer callback ran with this === undefined');
  });
}

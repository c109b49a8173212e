// expect: error
// message: contained
// A redelivered broker message was the very object of the first delivery (the
// broker's stored copy, also kept by the trace): a consumer could recognise
// redeliveries by identity instead of by messageId — and hold the kernel's copy.
let first: any;
let second: any;
export function service(ctx: any) {
  ctx.subscribe('t', (p: any, meta: any) => {
    if (meta.deliveryCount === 1) {
      first = p;
      return new Promise(() => {}); // never acks: the broker redelivers after its ack timeout
    }
    second = p;
  });
  ctx.handle('ping', async () => {
    await ctx.publish('t', { n: 1 });
    for (let i = 0; i < 100 && second === undefined; i++) await ctx.sleep(10);
    if (second === undefined) return 'no redelivery seen (the case cannot decide)';
    if (second === first) return 'ESCAPED: the redelivery is the same object';
    throw new Error('contained: every delivery is its own copy');
  });
}

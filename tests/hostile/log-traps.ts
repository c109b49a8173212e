// expect: error
// message: contained
// Log arguments with getters, toJSON, toString, revoked or throwing Proxies:
// the kernel ran them (toJSON inside its formatter), and a revoked Proxy made
// ctx.log itself throw a host TypeError. Logging must never run learner code
// later than the call, and never fail.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    let ran = 0;
    const trap = {
      get x() { ran++; return 1; },
      toJSON() { ran++; return 'j'; },
      toString() { ran++; return 's'; },
      [Symbol.toPrimitive]() { ran++; return 'p'; },
    };
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy({}, { ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } });
    const fn = Object.defineProperty(function f() {}, 'name', { get() { ran++; return 'n'; } });
    try {
      ctx.log.info('a', trap, revoked.proxy, throwing, fn, 'y'.repeat(100_000));
      ctx.log.error(Object.defineProperty(new Error('e'), 'message', { get() { ran++; return 'm'; } }));
      console.log(trap, revoked.proxy, throwing);
    } catch (e: any) {
      return `ESCAPED: logging threw ${e && e.name}: ${e && e.message}`;
    }
    if (ran > 0) return `ESCAPED: logging ran learner code ${ran} times`;
    throw new Error('contained: logs are safe text');
  });
}

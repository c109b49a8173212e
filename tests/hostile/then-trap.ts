// expect: error
// message: contained
// A handler returns a promise with its own `then`: the kernel used to call it
// with its reply closures, which learner code could call at will (forged or
// repeated replies).
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const p: any = Promise.reject(new Error('contained: the kernel used the realm\'s own then'));
    Object.defineProperty(p, 'then', {
      value: (ok: (v: unknown) => void) => {
        ok('ESCAPED: the kernel handed its reply function to our then');
        ok('and again');
      },
    });
    return p;
  });
}

// expect: error
// message: contained
// Memory across crashes, runs, services and jobs: writes a mark on every object
// reachable from learner code that outlives one module instance (the prototypes
// and constructors of kernel errors, Date's shared prototype, shared host
// functions, the compartment's global and its Date, intrinsics). Each must refuse.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    let err: any;
    try {
      ctx.send('nobody-here', 'x');
    } catch (e) {
      err = e;
    }
    if (!err) return 'ESCAPED: no error from send to an unknown service';
    const g: any = globalThis;
    const targets: Record<string, any> = {
      errProto: Object.getPrototypeOf(err),
      errCtor: err.constructor,
      errCtorProto: Object.getPrototypeOf(err.constructor),
      errProtoProto: Object.getPrototypeOf(Object.getPrototypeOf(err)),
      dateBase: Object.getPrototypeOf(Date.prototype),
      globalThis: g,
      globalDate: g.Date,
      globalDateProto: g.Date && g.Date.prototype,
      require: typeof require === 'function' ? require : undefined,
      functionProto: Object.getPrototypeOf(ctx.call),
      promiseProto: Object.getPrototypeOf(Promise.resolve()),
      typedArrayProto: Object.getPrototypeOf(Uint8Array.prototype),
      ctxProto: Object.getPrototypeOf(ctx),
    };
    // What `new` on a host function would construct: its prototype object is shared by every context.
    for (const [name, f] of [['ctx.now', ctx.now], ['ctx.log.info', ctx.log.info], ['setTimeout', setTimeout], ['Math.random', Math.random]] as const) {
      try { targets[`new ${name}`] = Object.getPrototypeOf(new (f as any)()); } catch { /* not a constructor */ }
    }
    const stuck: string[] = [];
    for (const [name, t] of Object.entries(targets)) {
      if (t === null || t === undefined) continue;
      try { t.__mdlMark = 1; } catch { /* refused */ }
      try { Object.defineProperty(t, '__mdlMark2', { value: 1 }); } catch { /* refused */ }
      if (t.__mdlMark === 1 || t.__mdlMark2 === 1) stuck.push(name);
    }
    if (stuck.length > 0) return `ESCAPED: marks stuck on ${stuck.join(', ')}`;
    throw new Error('contained: every shared object is frozen');
  });
}

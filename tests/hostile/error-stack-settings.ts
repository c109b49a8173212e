// expect: error
// message: contained
// `stackTraceLimit` and `prepareStackTrace` of any Error constructor reachable
// from a kernel error (its class, the class's parent: the worker's own Error)
// were realm-wide state: readable memory across runs and jobs, and a hook that
// saw every later stack in the worker.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const ctors = new Set<any>([Error, TypeError, RangeError]);
    let err: any;
    try {
      ctx.send('nobody-here', 'x');
    } catch (e) {
      err = e;
    }
    for (let c = err && err.constructor; c; c = Object.getPrototypeOf(c)) ctors.add(c);
    for (const c of ctors) {
      try { c.stackTraceLimit = 1; } catch { /* refused */ }
      try { c.prepareStackTrace = () => 'HIJACKED'; } catch { /* refused */ }
    }
    const deep = (n: number): string => (n === 0 ? String(new Error('probe').stack) : deep(n - 1));
    const stack = deep(5);
    const frames = (stack.match(/\n\s+at /g) ?? []).length;
    if (/HIJACKED/.test(stack) || frames < 6) return `ESCAPED: ${frames} frames: ${stack.slice(0, 200)}`;
    throw new Error('contained: stack settings are not state learner code can change');
  });
}

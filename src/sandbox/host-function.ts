/**
 * Functions the sandbox hands to learner code (endowments, facade methods,
 * Date methods) are wrapped so that they reveal nothing of the host:
 * `String(fn)` is `function () { [native code] }` (a callable Proxy prints as
 * native code) instead of the host bundle's source, which differs between the
 * Node worker and the browser's minified worker; the Proxy is frozen (no state
 * can be stashed on it; `freeze = false` for per-instance classes a learner may
 * extend, like its own `Date`) and its handler has no traps, so calls, `new`,
 * `this`, `name`, `length` and `prototype` behave as the wrapped function's.
 */
const NO_TRAPS: ProxyHandler<object> = Object.freeze({});

export function hostFunction<F extends object>(fn: F, freeze = true): F {
  // Freezing the target (not the Proxy, which costs ~2 µs more through the traps' paths) freezes what the Proxy shows.
  return new Proxy(freeze ? Object.freeze(fn) : fn, NO_TRAPS) as F;
}

/** A named host method (`this` is the receiver, `length` as given), e.g. `setHours` of the learner's Date. */
export function hostMethod<A extends unknown[], R>(name: string, length: number, fn: (this: unknown, ...args: A) => R): (this: unknown, ...args: A) => R {
  const named = { [name](this: unknown, ...args: A): R { return Reflect.apply(fn, this, args); } }[name]!;
  Object.defineProperty(named, 'length', { value: length });
  return hostFunction(named);
}

/**
 * Hardened facades for host objects handed to learner code (the kernel's
 * ServiceContext, Database, Logger, ...).
 *
 * `harden(ctx)` would deep-freeze the kernel's own objects (and everything
 * reachable from them, e.g. the simulation state), so instead we hand out a
 * frozen facade: every method of the object (own and inherited, except
 * Object.prototype's) becomes a frozen host-function wrapper (host-function.ts:
 * its source text is native code), every other property a frozen getter reading
 * the live value. Non-plain objects returned by methods or properties (e.g.
 * `ctx.database('other')`) get facades too; plain data (rows, arrays, promises,
 * primitives) passes through. The kernel's own capability objects are already
 * hardened that way (src/sim/boundary.ts `exposedObject`) and are returned as
 * they are. A kernel error thrown synchronously through a
 * facade method is re-created fresh (boundary.ts `freshError`): learner code
 * never holds the object the kernel threw. Learner code can therefore neither
 * monkey-patch the kernel nor reach its internals.
 *
 * Only valid in a realm prepared with prepareSandboxRealm() (uses `harden`).
 */
import { freshError, isExposedObject } from '../sim/boundary.ts';
import { hostFunction } from './host-function.ts';

const facades = new WeakMap<object, object>();

const hardenFn = <T>(v: T): T => (globalThis as unknown as { harden: <X>(x: X) => X }).harden(v);

function isPassThrough(value: object): boolean {
  if (typeof value === 'function') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || Array.isArray(value) || value instanceof Promise
    || ArrayBuffer.isView(value) || value instanceof Error || value instanceof Date || value instanceof Map || value instanceof Set;
}

function wrapValue(value: unknown): unknown {
  if (typeof value === 'function') return wrapFunction(value as (...a: unknown[]) => unknown, undefined, '');
  if (typeof value !== 'object' || value === null) return value;
  if (isPassThrough(value)) return value;
  return exposeToLearner(value);
}

function wrapFunction(fn: (...a: unknown[]) => unknown, self: unknown, name: string): (...a: unknown[]) => unknown {
  const wrapper = {
    [name](...args: unknown[]) {
      let r: unknown;
      try {
        r = Reflect.apply(fn, self, args);
      } catch (e) {
        throw freshError(e);
      }
      return wrapValue(r);
    },
  }[name]!;
  return hostFunction(wrapper);
}

/**
 * Returns a frozen facade of `target` (cached: the same target gives the same
 * facade). Functions become wrappers that call the original with `this` =
 * target; data properties become live getters.
 */
export function exposeToLearner<T extends object>(target: T): T {
  if (typeof target !== 'object' || target === null) return target;
  // The kernel's own capabilities (ctx, db, tx, log) are already frozen objects of frozen exposed
  // functions (src/sim/boundary.ts): a facade would only add a second wrapper per method.
  if (isExposedObject(target)) return target;
  const cached = facades.get(target);
  if (cached) return cached as T;
  const facade: Record<PropertyKey, unknown> = {};
  facades.set(target, facade);
  const seen = new Set<PropertyKey>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Reflect.ownKeys(o)) {
      if (seen.has(key) || key === 'constructor') continue;
      if (typeof key === 'string' && key.startsWith('#')) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      if ('value' in d && typeof d.value === 'function') {
        Object.defineProperty(facade, key, { value: wrapFunction(d.value as (...a: unknown[]) => unknown, target, typeof key === 'string' ? key : ''), enumerable: d.enumerable ?? false });
      } else {
        Object.defineProperty(facade, key, {
          get: hostFunction(() => wrapValue(Reflect.get(target, key))),
          enumerable: d.enumerable ?? false,
        });
      }
    }
  }
  return hardenFn(facade) as T;
}

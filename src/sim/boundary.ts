import { clipText, setErrorField, SimError } from './errors.ts';
import { isolate } from './json.ts';

/**
 * The learner boundary of the kernel: how values and calls cross between the
 * simulator and service code, which may be hostile. The rules:
 *
 * - Service callbacks are called with `this === undefined` (never as a method
 *   of a kernel record).
 * - Promise-like values returned by service code are watched with the realm's
 *   own `Promise.prototype.then`, so a custom `then` never receives kernel
 *   closures.
 * - Functions handed to service code are frozen bound functions: no kernel
 *   record behind `this`, no properties to stash state on, and their source
 *   text (`String(ctx.call)`) is `function () { [native code] }` everywhere,
 *   not the host bundle's code (which differs between Node and the browser).
 * - Values read from service objects are read as own data properties; getters,
 *   `toJSON` and `toString` are never run by kernel or judge code.
 */

const apply = Reflect.apply;
const bind = Function.prototype.bind;
const promiseThen = Promise.prototype.then;
const getOwn = Object.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;

/**
 * Calls a service callback with `this === undefined` and exactly the given
 * arguments: a plain call of a local (module code is strict), never a method
 * call on a kernel record, never through the callback's own `call`/`apply`.
 */
export function callLearner(fn: (...args: never[]) => unknown): unknown;
export function callLearner(fn: (...args: never[]) => unknown, a: unknown): unknown;
export function callLearner(fn: (...args: never[]) => unknown, a: unknown, b: unknown): unknown;
export function callLearner(fn: (...args: never[]) => unknown, a?: unknown, b?: unknown): unknown {
  const f = fn as (...x: unknown[]) => unknown;
  const n = arguments.length;
  return n === 1 ? f() : n === 2 ? f(a) : f(a, b);
}

/** Reading `then` of a service value may throw (a getter): that counts as a thenable that rejects. */
export function isThenable(r: unknown): boolean {
  if (r === null || (typeof r !== 'object' && typeof r !== 'function')) return false;
  try {
    return typeof (r as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

/** Settles `ok`/`fail` from a value returned by service code, using the intrinsic `then` only. */
export function watch(r: unknown, ok: ((v: unknown) => void) | undefined, fail: (e: unknown) => void): void {
  let p: Promise<unknown>;
  try {
    p = Promise.resolve(r);
  } catch (e) {
    // e.g. a promise whose `constructor` getter throws
    p = Promise.reject(e);
  }
  apply(promiseThen, p, [ok, fail]);
}

/**
 * Calls `f` with `this === undefined` and the arguments given. A method, so
 * not a constructor (`new ctx.now()` throws instead of building an object
 * whose prototype every context would share), and one whose `name` no build
 * step redefines (binding a function with a redefined name is ~10× slower).
 */
const { invoke } = {
  invoke(f: (...args: unknown[]) => unknown, ...args: unknown[]): unknown {
    return apply(f, undefined, args);
  },
};

/**
 * A frozen bound function that calls `fn`: what service code gets instead of a
 * kernel closure. Binding the one `invoke` (not each closure) keeps it cheap:
 * binding a function whose `name` was redefined (tsx's keepNames does that to
 * every closure) cost ~3 µs, paid for every function of every context.
 */
export function exposed<F extends (...args: never[]) => unknown>(fn: F): F {
  return Object.freeze(apply(bind, invoke, [undefined, fn]) as F);
}

const hardenedCapabilities = new WeakSet<object>();

/** Freezes an object of functions handed to service code, replacing each function by an exposed copy. */
export function exposedObject<T extends object>(obj: T): T {
  for (const key of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[key];
    if (typeof v === 'function') (obj as Record<string, unknown>)[key] = exposed(v as () => unknown);
  }
  return Object.freeze(obj);
}

/**
 * Marks a service context built of exposedObjects (itself, `db`, `log`): it
 * already is what a hardened facade would hand out, so sandbox/facade.ts
 * returns it as it is. (One mark per incarnation: a WeakSet entry per object
 * or function made garbage collection measurably slower.)
 */
export function markHardenedCapabilities<T extends object>(ctx: T): T {
  hardenedCapabilities.add(ctx);
  return ctx;
}

/** True for a context marked by markHardenedCapabilities. */
export function isExposedObject(o: unknown): boolean {
  return typeof o === 'object' && o !== null && hardenedCapabilities.has(o);
}

/** Longest method / message type / topic / table / group name service code may use. */
export const MAX_NAME_LENGTH = 200;

/** A non-empty string of bounded length, or a clear BadArgument at the call site. */
export function checkName(s: unknown, what: string): string {
  if (typeof s !== 'string' || s === '') throw new SimError('BadArgument', `${what} must be a non-empty string, got ${typeName(s)}`);
  if (s.length > MAX_NAME_LENGTH) throw new SimError('BadArgument', `${what} must be at most ${MAX_NAME_LENGTH} characters, got ${s.length}`);
  return s;
}

/** A primary key: a string of bounded length or a finite number. */
export function checkKey(k: unknown, what: string): string | number {
  if (typeof k === 'number' && Number.isFinite(k)) return k;
  if (typeof k === 'string' && k.length <= 10 * MAX_NAME_LENGTH) return k;
  throw new SimError('BadArgument', `${what}: a key must be a string (at most ${10 * MAX_NAME_LENGTH} characters) or a finite number, got ${typeName(k)}`);
}

/** `typeof`, without touching the value. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : t === 'string' && (v as string).length > MAX_NAME_LENGTH ? 'a long string' : t === 'string' ? JSON.stringify(v) : t;
}

/** Own data property `key` of `obj` (undefined for accessors, missing keys and throwing proxies). */
export function ownData(obj: object, key: PropertyKey): unknown {
  try {
    const d = getOwn(obj, key);
    return d && 'value' in d ? d.value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- errors

let trusted: WeakSet<(...a: unknown[]) => unknown> | undefined;

/**
 * Getters the realm itself defines on errors (V8's own `stack` accessor, SES's
 * override-tamed `name`/`message` on frozen Error prototypes): safe to call.
 * Any other getter on an error is service code and is never run. Cached once
 * the intrinsics are frozen (after the sandbox's lockdown they cannot change).
 */
function trustedGetters(): WeakSet<(...a: unknown[]) => unknown> {
  if (trusted) return trusted;
  const set = new WeakSet<(...a: unknown[]) => unknown>();
  const add = (o: object, key: string) => {
    const d = getOwn(o, key);
    if (d && typeof d.get === 'function') set.add(d.get);
  };
  for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
    for (const key of ['name', 'message', 'stack', 'cause']) add(C.prototype, key);
  }
  add(new Error('probe'), 'stack');
  if (Object.isFrozen(Error.prototype)) trusted = set;
  return set;
}

/** Field `key` of an error, read without running service code (own or inherited data, or a realm getter). */
export function errorField(err: object, key: string): unknown {
  try {
    let o: object | null = err;
    for (let depth = 0; o !== null && depth < 8; depth++) {
      const d = getOwn(o, key);
      if (d) {
        if ('value' in d) return d.value;
        return typeof d.get === 'function' && trustedGetters().has(d.get) ? apply(d.get, err, []) : undefined;
      }
      o = getProto(o);
    }
  } catch {
    /* hostile proxy */
  }
  return undefined;
}

/**
 * A fresh copy of a kernel error (SimError) for service code: same name,
 * message and `code`, other own fields as frozen JSON copies (read as data).
 * Anything else (service code's own thrown values) is returned as it is.
 */
export function freshError(e: unknown): unknown {
  if (!(e instanceof SimError)) return e;
  const name = errorField(e, 'name');
  const message = errorField(e, 'message');
  const out = new SimError((typeof name === 'string' ? name : 'BadArgument') as SimError['name'], typeof message === 'string' ? message : '');
  for (const key of Object.keys(e)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    try {
      const v = ownData(e, key);
      if (v !== undefined) setErrorField(out, key, isolate(v, `error field ${key}`));
    } catch {
      /* not plain data: not copied */
    }
  }
  return out;
}

/** `instanceof Error` without trusting proxies (a throwing trap means "not an error"). */
export function isError(v: unknown): v is Error {
  try {
    return v instanceof Error;
  } catch {
    return false;
  }
}

/** `Name: message` of an error, from data only. */
export function errorText(err: Error): string {
  const name = errorField(err, 'name');
  const message = errorField(err, 'message');
  const n = typeof name === 'string' && name !== '' ? clipText(name, 100) : 'Error';
  return typeof message === 'string' && message !== '' ? `${n}: ${clipText(message)}` : n;
}

// ---------------------------------------------------------------- showing values

/** Longest text `showValue` produces. */
export const MAX_SHOWN = 300;

/** JSON-like copy of own enumerable data properties (getters are shown, not run; toJSON ignored). */
function snapshot(v: unknown, depth: number, seen: Set<unknown>): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return '[Function]';
  if (typeof v === 'symbol') return v.toString();
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return '[Circular]';
  if (depth > 3) return '[…]';
  seen.add(v);
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  let n = 0;
  for (const key of Object.keys(v)) {
    if (++n > 20) break;
    const d = getOwn(v, key);
    if (!d) continue;
    Object.defineProperty(out, key, { value: 'value' in d ? snapshot(d.value, depth + 1, seen) : '[Getter]', enumerable: true, writable: true, configurable: true });
  }
  seen.delete(v);
  return out;
}

/**
 * Shows any value in one bounded line without running service code: strings
 * quoted, errors as `Name: message`, objects as JSON of their own data.
 */
export function showValue(value: unknown, max = MAX_SHOWN): string {
  switch (typeof value) {
    case 'string':
      return clipText(JSON.stringify(value), max);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return clipText(value.toString(), max);
    case 'function': {
      const name = ownData(value, 'name');
      return `function ${typeof name === 'string' ? clipText(name, 100) : ''}`.trim();
    }
    default:
      if (value === null) return 'null';
      if (isError(value)) return clipText(errorText(value), max);
      try {
        return clipText(JSON.stringify(snapshot(value, 0, new Set())) ?? '[object]', max);
      } catch {
        return '[object]';
      }
  }
}

/** A log argument as text: strings as they are, anything else like showValue. */
export function logText(value: unknown, max = 1000): string {
  return typeof value === 'string' ? clipText(value, max) : showValue(value, max);
}

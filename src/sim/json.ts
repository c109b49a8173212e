import { SimError } from './errors.ts';

/**
 * Message and row values: plain JSON only. `isolate` validates and copies a value
 * in one pass and freezes the copy: the kernel's copy (kept by the trace, the
 * database, the broker's log) is never shared with service code. Receivers get
 * their own frozen copy (`cloneJson`), so duplicates of one message are
 * distinct objects and nobody can recognise, or annotate, the kernel's copy.
 *
 * Values from service code are read as *own enumerable data properties only*:
 * a getter is refused (never run), `toJSON`/`toString` are never called, symbol
 * keys and non-enumerable properties are ignored (as JSON.stringify does), and
 * a Proxy's traps run once, here, at the call site — the copy is plain data, so
 * nothing service code wrote can run later inside the trace or the judge.
 * Copies are bounded in depth and size. Primitives (the common case) cost nothing.
 */
export function isolate<T>(value: T, where: string): T {
  if (value === null || typeof value !== 'object') {
    checkPrimitive(value, where, '');
    return value;
  }
  return copy(value, where, '', 0, true, { left: MAX_JSON_SIZE }) as T;
}

/** Validated deep copy of a value from service code, not frozen (e.g. an update patch). */
export function clonePlain<T>(value: T, where: string): T {
  if (value === null || typeof value !== 'object') {
    checkPrimitive(value, where, '');
    return value;
  }
  return copy(value, where, '', 0, false, { left: MAX_JSON_SIZE }) as T;
}

/**
 * Deep copy of a value that `isolate` already produced (trusted plain JSON):
 * what service code receives. Rows it reads are unfrozen (mutate them freely);
 * payloads and replies are frozen (`freeze`), like the message they belong to.
 */
export function cloneJson<T>(value: T, freeze = false): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i], freeze);
    return (freeze ? Object.freeze(out) : out) as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const c = cloneJson((value as Record<string, unknown>)[k], freeze);
    if (k === '__proto__') defineData(out, k, c);
    else out[k] = c;
  }
  return (freeze ? Object.freeze(out) : out) as T;
}

/** Deepest nesting of a JSON value. */
export const MAX_JSON_DEPTH = 64;
/** Size budget of one JSON value: string characters + 8 per number, key and container (~ bytes of its JSON). */
export const MAX_JSON_SIZE = 4 * 1024 * 1024;

interface Budget {
  left: number;
}

function checkPrimitive(v: unknown, where: string, path: string): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(v)) return;
      throw notJson(where, path, `${v} is not a finite number`);
    case 'object':
      return; // null
    default:
      throw notJson(where, path, `a ${typeof v} is not JSON`);
  }
}

function notJson(where: string, path: string, what: string): SimError {
  return new SimError('NotJson', `${where}: payload${path.length > 200 ? `${path.slice(0, 200)}…` : path} must be plain JSON — ${what}`);
}

function spend(b: Budget, n: number, where: string, path: string): void {
  b.left -= n;
  if (b.left < 0) throw notJson(where, path, `larger than ${MAX_JSON_SIZE / 1048576} MB`);
}

function defineData(o: object, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

const getOwn = Object.getOwnPropertyDescriptor;

/** Value of one own property for copying: a data property's value, or a clear refusal. */
function dataValue(d: PropertyDescriptor | undefined, where: string, path: string): unknown {
  if (d === undefined) return undefined;
  if (!('value' in d)) throw notJson(where, path, 'a getter/setter is not JSON (copy the value into a plain field)');
  return d.value;
}

function copyValue(x: unknown, where: string, path: string, depth: number, freeze: boolean, b: Budget): unknown {
  if (x === null || typeof x !== 'object') {
    checkPrimitive(x, where, path);
    spend(b, typeof x === 'string' ? x.length + 2 : 8, where, path);
    return x;
  }
  return copy(x, where, path, depth + 1, freeze, b);
}

function copy(v: object, where: string, path: string, depth: number, freeze: boolean, b: Budget): unknown {
  if (depth > MAX_JSON_DEPTH) throw notJson(where, path, 'nested too deeply (a cycle?)');
  spend(b, 8, where, path);
  if (Array.isArray(v)) {
    const len = dataValue(getOwn(v, 'length'), where, `${path}.length`);
    if (typeof len !== 'number' || len > b.left) throw notJson(where, path, `an array of ${String(len)} elements is too large`);
    const out = new Array(len);
    for (let i = 0; i < len; i++) {
      const d = getOwn(v, i);
      if (d === undefined) throw notJson(where, `${path}[${i}]`, 'a hole (missing element) is not JSON');
      out[i] = copyValue(dataValue(d, where, `${path}[${i}]`), where, `${path}[${i}]`, depth, freeze, b);
    }
    return freeze ? Object.freeze(out) : out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw notJson(where, path, `${kindOf(v, proto)} is not a plain object`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const d = getOwn(v, k);
    if (d === undefined || !d.enumerable) continue; // a proxy may list keys it does not have
    const x = dataValue(d, where, `${path}.${k}`);
    if (x === undefined) continue; // like JSON.stringify: undefined fields are dropped
    spend(b, k.length + 3, where, path);
    const c = copyValue(x, where, `${path}.${k}`, depth, freeze, b);
    if (k === '__proto__') defineData(out, k, c);
    else out[k] = c;
  }
  return freeze ? Object.freeze(out) : out;
}

/** "a Date", "a Map", … from the prototype's own data (no getters run). */
function kindOf(v: object, proto: object): string {
  const ctor = getOwn(proto, 'constructor');
  const name = ctor && 'value' in ctor && typeof ctor.value === 'function' ? getOwn(ctor.value, 'name') : undefined;
  if (name && 'value' in name && typeof name.value === 'string' && name.value !== '') return `a ${name.value.slice(0, 60)}`;
  return typeof v === 'function' ? 'a function' : 'an object';
}

/** Canonical JSON: object keys sorted, no whitespace. Used for digests. */
export function canonicalJson(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonicalJson(v[i] === undefined ? null : v[i]);
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === 'function') continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(x);
    first = false;
  }
  return out + '}';
}

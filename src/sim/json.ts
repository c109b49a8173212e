import { SimError } from './errors.ts';

/**
 * Message and row values: plain JSON only. `isolate` validates and copies a value
 * in one pass and freezes the copy, so the receiver never shares a mutable object
 * with the sender, and duplicates and the trace can share the one frozen copy.
 * Primitives (the common case) cost nothing.
 */
export function isolate<T>(value: T, where: string): T {
  if (value === null || typeof value !== 'object') {
    checkPrimitive(value, where, '');
    return value;
  }
  return copy(value, where, '', 0, true) as T;
}

/** Validated deep copy, not frozen (rows handed to service code, which may mutate them). */
export function clonePlain<T>(value: T, where: string): T {
  if (value === null || typeof value !== 'object') {
    checkPrimitive(value, where, '');
    return value;
  }
  return copy(value, where, '', 0, false) as T;
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
  return new SimError('NotJson', `${where}: payload${path} must be plain JSON — ${what}`);
}

const MAX_DEPTH = 64;

function copy(v: object, where: string, path: string, depth: number, freeze: boolean): unknown {
  if (depth > MAX_DEPTH) throw notJson(where, path, 'nested too deeply (a cycle?)');
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      out[i] = x === null || typeof x !== 'object' ? (checkPrimitive(x, where, `${path}[${i}]`), x) : copy(x, where, `${path}[${i}]`, depth + 1, freeze);
    }
    return freeze ? Object.freeze(out) : out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto && proto.constructor && proto.constructor.name) || 'object';
    throw notJson(where, path, `a ${name} is not a plain object`);
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue; // like JSON.stringify: undefined fields are dropped
    out[k] = x === null || typeof x !== 'object' ? (checkPrimitive(x, where, `${path}.${k}`), x) : copy(x, where, `${path}.${k}`, depth + 1, freeze);
  }
  return freeze ? Object.freeze(out) : out;
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

/**
 * Errors the simulator raises into service code. `name` is the stable thing to
 * test for (`err.name === 'RpcTimeout'`); `code` repeats it for JSON reports.
 * The names and the learner-facing error shapes are declared in types.ts.
 *
 * A SimError is an ordinary intrinsic `Error` (its prototype is the realm's
 * `Error.prototype`) with own `name` and `code`, made fresh for every throw or
 * rejection. There is deliberately no kernel class behind it: service code that
 * walks `Object.getPrototypeOf(err)` or `err.constructor` reaches only the
 * realm's shared intrinsics, which the sandbox realm freezes. (A host
 * `class extends Error` would hand out a mutable prototype, and in the sandbox
 * worker also the start compartment's own `Error`, whose `stackTraceLimit` and
 * `prepareStackTrace` are realm-wide state.) `e instanceof SimError` still
 * works: it checks a brand.
 */
import type { SimErrorName } from './types.ts';

export type { SimErrorName };

export interface SimError extends Error {
  readonly name: SimErrorName;
  readonly code: string;
}

interface SimErrorConstructor {
  new (name: SimErrorName, message: string): SimError;
  (name: SimErrorName, message: string): SimError;
  [Symbol.hasInstance](value: unknown): value is SimError;
}

/** Longest message (and name) an error carries into service code; longer text is clipped. */
export const MAX_ERROR_TEXT = 500;

/** Clips text for error messages: learner-controlled names and remote messages stay bounded. */
export function clipText(text: string, max = MAX_ERROR_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const brand = new WeakSet<object>();

function ownValue(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Makes a fresh error (callable with or without `new`). */
export const SimError = function SimError(name: SimErrorName, message: string): SimError {
  const e = new Error(clipText(String(message))) as { -readonly [K in keyof SimError]: SimError[K] };
  // Plain assignment (own data, like the class this replaced): defineProperty on fresh errors is several times slower.
  e.name = name;
  e.code = name;
  brand.add(e);
  return e;
} as unknown as SimErrorConstructor;
Object.defineProperty(SimError, Symbol.hasInstance, { value: (v: unknown) => typeof v === 'object' && v !== null && brand.has(v) });
Object.freeze((SimError as unknown as { prototype: object }).prototype);
Object.freeze(SimError);

/** Sets a field of a kernel-made error (e.g. `code`, `remote`) as own data. */
export function setErrorField(e: SimError, key: string, value: unknown): void {
  ownValue(e, key, value);
}

/**
 * A plain-JSON copy of data read out of the learner's realm, charged against a
 * size budget *while* it is copied: a run whose trace holds the same 1 MB
 * string a thousand times (cheap in memory, shared references) would be a
 * gigabyte once serialized or structured-cloned; here it stops at the budget
 * instead. The copy has only fresh plain objects, arrays and primitives (no
 * prototypes, no functions, no `toJSON`), so serializing it runs no code of
 * the learner's.
 */

/** Why a copy was refused. */
export class CopyLimit extends Error {
  constructor(readonly limit: 'size' | 'depth') {
    super(limit === 'size' ? 'over the size budget' : 'nested too deeply');
    this.name = 'CopyLimit';
  }
}

/**
 * JSON characters still allowed, decremented by the copy by an *upper bound*
 * of each value's JSON length (escapes and the longest number form included),
 * so a copy that stayed within its budget serializes to at most that many
 * characters.
 */
export interface Budget {
  left: number;
}

/** Characters JSON.stringify may escape (quote, backslash, controls; surrogates counted as if lone). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** An upper bound of the JSON length of a string (each escaped character as the 6 of `\uXXXX`). */
export function jsonLengthBound(s: string): number {
  if (!ESCAPED.test(s)) return s.length + 2;
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) n += 5;
  }
  return n;
}

/** The longest JSON form of a number ("-1.7976931348623157e+308"). */
export const NUMBER_CHARS = 24;

const MAX_DEPTH = 64;

function charge(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) throw new CopyLimit('size');
}

/**
 * Copies `value` as JSON.stringify would see it (undefined/functions dropped in
 * objects and null in arrays, non-finite numbers as null), charging an upper
 * bound of its JSON length to `budget`. Throws CopyLimit past the budget or MAX_DEPTH.
 */
export function boundedCopy(value: unknown, budget: Budget, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      charge(budget, jsonLengthBound(value));
      return value;
    case 'number':
      charge(budget, NUMBER_CHARS);
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      charge(budget, 5);
      return value;
    case 'object':
      break;
    default:
      charge(budget, 4);
      return undefined;
  }
  if (value === null) {
    charge(budget, 4);
    return null;
  }
  if (depth >= MAX_DEPTH) throw new CopyLimit('depth');
  if (Array.isArray(value)) {
    const n = value.length;
    charge(budget, 2 + n);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const x = boundedCopy(value[i], budget, depth + 1);
      out[i] = x === undefined ? null : x;
    }
    return out;
  }
  charge(budget, 2);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const x = boundedCopy((value as Record<string, unknown>)[key], budget, depth + 1);
    if (x === undefined) continue;
    charge(budget, jsonLengthBound(key) + 2);
    // A key named "__proto__" must stay data, not become the copy's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: x, enumerable: true, writable: true, configurable: true });
    else out[key] = x;
  }
  return out;
}

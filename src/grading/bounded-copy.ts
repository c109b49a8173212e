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

/** Approximate JSON characters still allowed (decremented by the copy). */
export interface Budget {
  left: number;
}

const MAX_DEPTH = 64;

function charge(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) throw new CopyLimit('size');
}

/**
 * Copies `value` as JSON.stringify would see it (undefined/functions dropped in
 * objects and null in arrays, non-finite numbers as null), charging roughly its
 * JSON length to `budget`. Throws CopyLimit past the budget or MAX_DEPTH.
 */
export function boundedCopy(value: unknown, budget: Budget, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      charge(budget, value.length + 2);
      return value;
    case 'number':
      charge(budget, 8);
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
    charge(budget, key.length + 4);
    // A key named "__proto__" must stay data, not become the copy's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: x, enumerable: true, writable: true, configurable: true });
    else out[key] = x;
  }
  return out;
}

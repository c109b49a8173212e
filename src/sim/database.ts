import { callLearner } from './boundary.ts';
import { SimError } from './errors.ts';
import { cloneJson, clonePlain, isolate } from './json.ts';
import type { Json, Row, RowFilter, TableSpec } from './types.ts';


/**
 * One service's durable storage: tables of JSON rows keyed by a primary-key
 * field, with unique constraints. Committed rows are frozen copies; reads hand
 * out fresh copies. Transactions buffer their writes and apply them atomically
 * in `commit`, after re-validating keys and unique constraints against what was
 * committed meanwhile (that is what makes UNIQUE(aggregate_id, version) an
 * optimistic-concurrency guard). Other isolation is read-committed: reads see
 * committed rows plus the transaction's own writes.
 */
export type PrimaryKey = string | number;

interface Table {
  readonly key: string;
  readonly unique: string[][];
  readonly rows: Map<string, Row>;
  /** One index per unique constraint: composite value -> primary key. */
  readonly indexes: Map<string, string>[];
}

const DELETED = null;

export class DatabaseStore {
  private readonly tables = new Map<string, Table>();
  constructor(readonly owner: string) {}

  createTable(name: string, tableSpec: TableSpec = {}): void {
    // A plain copy first: the definition is read once, as data (no getters or iterators of service code run later).
    const spec = clonePlain(tableSpec, `createTable("${name}")`) as TableSpec | null;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new SimError('BadArgument', `createTable("${name}"): the table spec must be an object`);
    const key = spec.key ?? 'id';
    if (typeof key !== 'string' || key === '') throw new SimError('BadArgument', `createTable("${name}"): key must be a field name (a non-empty string)`);
    if (spec.unique !== undefined && !Array.isArray(spec.unique)) throw new SimError('BadArgument', `createTable("${name}"): unique must be a list of lists of field names`);
    const unique = spec.unique ?? [];
    const existing = this.tables.get(name);
    if (existing) {
      if (existing.key !== key || JSON.stringify(existing.unique) !== JSON.stringify(unique)) {
        throw new SimError('BadArgument', `table "${name}" of ${this.owner} already exists with a different definition`);
      }
      return;
    }
    for (const u of unique) {
      if (!Array.isArray(u) || u.length === 0 || u.some((f) => typeof f !== 'string')) {
        throw new SimError('BadArgument', `table "${name}": each unique constraint must be a non-empty list of field names`);
      }
    }
    this.tables.set(name, { key, unique, rows: new Map(), indexes: unique.map(() => new Map()) });
  }

  /** The table, created with the default definition on first use. */
  table(name: string): Table {
    let t = this.tables.get(name);
    if (!t) {
      if (typeof name !== 'string' || name === '') throw new SimError('BadArgument', 'table name must be a non-empty string');
      this.createTable(name);
      t = this.tables.get(name)!;
    }
    return t;
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  get(table: string, key: PrimaryKey): Row | undefined {
    const r = this.tables.get(table)?.rows.get(String(key));
    return r === undefined ? undefined : cloneJson(r);
  }

  scan(table: string, filter?: RowFilter<Row>): Row[] {
    const t = this.tables.get(table);
    if (!t) return [];
    const match = toPredicate(filter);
    const out: Row[] = [];
    for (const r of t.rows.values()) match(r, out);
    return out;
  }

  /** Committed rows, frozen and shared (for checks and the UI; never handed to service code). */
  rawRows(table: string): readonly Row[] {
    const t = this.tables.get(table);
    return t ? [...t.rows.values()] : [];
  }

  /** Validates a transaction's writes against the committed state and applies them, or throws. */
  commit(writes: TxWrites): number {
    // Validate everything first: a commit applies all of its writes or none.
    for (const [name, w] of writes) {
      const t = this.table(name);
      for (const pk of w.inserted) {
        if (t.rows.has(pk)) throw uniqueViolation(this.owner, name, `${t.key} = ${pk}`);
      }
      t.unique.forEach((fields, i) => {
        const seen = new Map<string, string>();
        for (const [pk, row] of w.rows) {
          if (row === DELETED) continue;
          const v = composite(row, fields);
          if (v === undefined) continue;
          if (seen.has(v)) throw uniqueViolation(this.owner, name, describeUnique(fields, row));
          seen.set(v, pk);
          const holder = t.indexes[i]!.get(v);
          if (holder !== undefined && holder !== pk && !w.rows.has(holder)) {
            throw uniqueViolation(this.owner, name, describeUnique(fields, row));
          }
        }
      });
    }
    let count = 0;
    for (const [name, w] of writes) {
      const t = this.table(name);
      for (const [pk, row] of w.rows) {
        const old = t.rows.get(pk);
        if (old) t.unique.forEach((fields, i) => { const v = composite(old, fields); if (v !== undefined && t.indexes[i]!.get(v) === pk) t.indexes[i]!.delete(v); });
        if (row === DELETED) t.rows.delete(pk);
        else {
          t.rows.set(pk, row);
          t.unique.forEach((fields, i) => { const v = composite(row, fields); if (v !== undefined) t.indexes[i]!.set(v, pk); });
        }
        count++;
      }
    }
    return count;
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(DatabaseStore);
Object.freeze(DatabaseStore.prototype);

/** Per-table buffered writes: final row per primary key (null = deleted), and which keys were inserted. */
export type TxWrites = Map<string, { rows: Map<string, Row | null>; inserted: Set<string> }>;

/** Read-your-writes view over a store plus buffered writes; it validates eagerly so errors point at the line that caused them. */
export class TxBuffer {
  readonly writes: TxWrites = new Map();
  constructor(private readonly store: DatabaseStore) {}

  private w(table: string) {
    let w = this.writes.get(table);
    if (!w) this.writes.set(table, (w = { rows: new Map(), inserted: new Set() }));
    return w;
  }

  private current(table: string, pk: string): Row | undefined {
    const w = this.writes.get(table);
    if (w && w.rows.has(pk)) return w.rows.get(pk) ?? undefined;
    return this.store.table(table).rows.get(pk);
  }

  get(table: string, key: PrimaryKey): Row | undefined {
    const r = this.current(table, String(key));
    return r === undefined ? undefined : cloneJson(r);
  }

  scan(table: string, filter?: RowFilter<Row>): Row[] {
    const match = toPredicate(filter);
    const t = this.store.table(table);
    const w = this.writes.get(table);
    const out: Row[] = [];
    for (const [pk, r] of t.rows) {
      const cur = w && w.rows.has(pk) ? w.rows.get(pk) : r;
      if (cur) match(cur, out);
    }
    if (w) for (const [pk, r] of w.rows) if (r && !t.rows.has(pk)) match(r, out);
    return out;
  }

  insert(table: string, row: Row): void {
    const t = this.store.table(table);
    const frozen = checkRow(row, t.key, table);
    const pk = String(frozen[t.key]);
    if (this.current(table, pk) !== undefined) throw uniqueViolation(this.store.owner, table, `${t.key} = ${pk}`);
    this.checkUnique(table, pk, frozen);
    const w = this.w(table);
    w.rows.set(pk, frozen);
    if (!t.rows.has(pk)) w.inserted.add(pk);
  }

  put(table: string, row: Row): void {
    const t = this.store.table(table);
    const frozen = checkRow(row, t.key, table);
    const pk = String(frozen[t.key]);
    this.checkUnique(table, pk, frozen);
    this.w(table).rows.set(pk, frozen);
  }

  update(table: string, key: PrimaryKey, patch: Row): void {
    const t = this.store.table(table);
    const pk = String(key);
    const old = this.current(table, pk);
    if (old === undefined) throw new SimError('NoSuchRow', `update: no row with ${t.key} = ${pk} in table "${table}"`);
    const p = clonePlain(patch, `update ${table}`);
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new SimError('BadArgument', `update ${table}: patch must be an object`);
    if (t.key in p && String(p[t.key]) !== pk) throw new SimError('BadArgument', `update ${table}: the primary key "${t.key}" cannot change`);
    const next = isolate({ ...old, ...p }, `update ${table}`);
    this.checkUnique(table, pk, next);
    this.w(table).rows.set(pk, next);
  }

  delete(table: string, key: PrimaryKey): void {
    const pk = String(key);
    this.store.table(table);
    const w = this.w(table);
    if (w.inserted.has(pk)) {
      w.inserted.delete(pk);
      w.rows.delete(pk);
    } else w.rows.set(pk, DELETED);
  }

  get size(): number {
    let n = 0;
    for (const w of this.writes.values()) n += w.rows.size;
    return n;
  }

  private checkUnique(table: string, pk: string, row: Row): void {
    const t = this.store.table(table);
    if (t.unique.length === 0) return;
    t.unique.forEach((fields, i) => {
      const v = composite(row, fields);
      if (v === undefined) return;
      const w = this.writes.get(table);
      const holder = t.indexes[i]!.get(v);
      if (holder !== undefined && holder !== pk && !(w && w.rows.has(holder))) throw uniqueViolation(this.store.owner, table, describeUnique(fields, row));
      if (w) for (const [otherPk, other] of w.rows) {
        if (otherPk !== pk && other && composite(other, fields) === v) throw uniqueViolation(this.store.owner, table, describeUnique(fields, row));
      }
    });
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(TxBuffer);
Object.freeze(TxBuffer.prototype);

function checkRow(row: Row, key: string, table: string): Row {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new SimError('BadArgument', `${table}: a row must be an object`);
  const frozen = isolate(row, `row of ${table}`);
  const k = frozen[key];
  if (typeof k !== 'string' && typeof k !== 'number') {
    throw new SimError('BadArgument', `${table}: a row needs a string or number primary key field "${key}"`);
  }
  return frozen;
}

function composite(row: Row, fields: string[]): string | undefined {
  const parts: Json[] = [];
  for (const f of fields) {
    const v = row[f];
    if (v === undefined || v === null) return undefined; // like SQL: NULLs never collide
    parts.push(v);
  }
  return JSON.stringify(parts);
}

function describeUnique(fields: string[], row: Row): string {
  return fields.map((f) => `${f} = ${JSON.stringify(row[f])}`).join(', ');
}

function uniqueViolation(owner: string, table: string, what: string): SimError {
  return new SimError('UniqueViolation', `unique constraint violated in ${owner}.${table}: ${what} already exists`);
}

/**
 * What a filter function sees of a stored row: a frozen copy, made once per
 * stored row (rows are immutable once written) and never the stored object
 * itself, which the database keeps and the judge reads.
 */
const filterViews = new WeakMap<Row, Row>();
function filterView(r: Row): Row {
  let v = filterViews.get(r);
  if (v === undefined) filterViews.set(r, (v = cloneJson(r, true)));
  return v;
}

/**
 * A row filter from service code, as "copy the row into `out` if it matches".
 * A function filter is called (this === undefined) on a frozen copy of the
 * row, never on the stored row; an object filter is read once, as data, and
 * compared with stored rows. Matches are returned as fresh, unfrozen copies.
 */
function toPredicate(filter?: RowFilter<Row>): (r: Row, out: Row[]) => void {
  if (filter === undefined) return (r, out) => void out.push(cloneJson(r));
  if (typeof filter === 'function') {
    return (r, out) => {
      if (callLearner(filter as (r: Row) => unknown, filterView(r))) out.push(cloneJson(r));
    };
  }
  const f = clonePlain(filter, 'scan filter');
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new SimError('BadArgument', 'scan: the filter must be an object of field values or a function');
  const entries = Object.entries(f);
  return (r, out) => {
    if (entries.every(([k, v]) => r[k] === v)) out.push(cloneJson(r));
  };
}

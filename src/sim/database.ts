import { callLearner } from './boundary.ts';
import type { ChangeRecord } from './changelog.ts';
import { SimError } from './errors.ts';
import { canonicalJson, cloneJson, clonePlain, isolate } from './json.ts';
import type { Change, Json, Row, RowFilter, TableSpec, WriteOptions } from './types.ts';


/**
 * One service's durable storage: tables of JSON rows keyed by a primary-key
 * field, with unique constraints. Committed rows are frozen copies; reads hand
 * out fresh copies. Transactions buffer their writes and apply them atomically
 * in `commit`, after re-validating keys and unique constraints against what was
 * committed meanwhile (that is what makes UNIQUE(aggregate_id, version) an
 * optimistic-concurrency guard). Other isolation is read-committed: reads see
 * committed rows plus the transaction's own writes. Opt-in write-conflict
 * detection (`TableSpec.conflicts`, `expect` on update/delete) is validated in
 * the same step. Every applied row change is appended to the store's change
 * log (`changes`), which is as durable as the rows.
 */
export type PrimaryKey = string | number;

interface Table {
  readonly key: string;
  readonly unique: string[][];
  readonly rows: Map<string, Row>;
  /** One index per unique constraint: composite value -> primary key. */
  readonly indexes: Map<string, string>[];
  /** First-committer-wins: every write is guarded by the row as the transaction first saw it. */
  readonly fcw: boolean;
}

/** Most change records one `changes()` call returns. */
export const MAX_CHANGES_PER_CALL = 1000;

const DELETED = null;

export class DatabaseStore {
  private readonly tables = new Map<string, Table>();
  /** Every applied row change, in commit order; `log[i].lsn === i + 1`. */
  private readonly log: ChangeRecord[] = [];
  private commits = 0;
  constructor(readonly owner: string) {}

  createTable(name: string, tableSpec: TableSpec = {}): void {
    // A plain copy first: the definition is read once, as data (no getters or iterators of service code run later).
    const spec = clonePlain(tableSpec, `createTable("${name}")`) as TableSpec | null;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new SimError('BadArgument', `createTable("${name}"): the table spec must be an object`);
    const key = spec.key ?? 'id';
    if (typeof key !== 'string' || key === '') throw new SimError('BadArgument', `createTable("${name}"): key must be a field name (a non-empty string)`);
    if (spec.unique !== undefined && !Array.isArray(spec.unique)) throw new SimError('BadArgument', `createTable("${name}"): unique must be a list of lists of field names`);
    const unique = spec.unique ?? [];
    const conflicts = spec.conflicts ?? 'none';
    if (conflicts !== 'none' && conflicts !== 'first-committer-wins') {
      throw new SimError('BadArgument', `table "${name}": conflicts must be "none" or "first-committer-wins", got ${JSON.stringify(conflicts)}`);
    }
    const fcw = conflicts === 'first-committer-wins';
    const existing = this.tables.get(name);
    if (existing) {
      if (existing.key !== key || JSON.stringify(existing.unique) !== JSON.stringify(unique) || existing.fcw !== fcw) {
        throw new SimError('BadArgument', `table "${name}" of ${this.owner} already exists with a different definition`);
      }
      return;
    }
    for (const u of unique) {
      if (!Array.isArray(u) || u.length === 0 || u.some((f) => typeof f !== 'string')) {
        throw new SimError('BadArgument', `table "${name}": each unique constraint must be a non-empty list of field names`);
      }
    }
    this.tables.set(name, { key, unique, rows: new Map(), indexes: unique.map(() => new Map()), fcw });
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
    for (const r of t.rows.values()) {
      const c = match(r);
      if (c) out.push(c);
    }
    return out;
  }

  /** Committed rows, frozen and shared (for checks and the UI; never handed to service code). */
  rawRows(table: string): readonly Row[] {
    const t = this.tables.get(table);
    return t ? [...t.rows.values()] : [];
  }

  /**
   * Validates a transaction's writes against the committed state and applies
   * them, or throws. Applied changes go to the change log, stamped with `at`
   * and `traceId` (the id of the commit's trace event, -1 untraced).
   * Returns the number of row writes.
   */
  commit(buf: TxBuffer, at: number, traceId: number): number {
    const writes = buf.writes;
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
    if (buf.guards !== null) this.checkGuards(buf);
    const txId = ++this.commits;
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
        if (row !== DELETED || old !== undefined) this.logChange(txId, name, (row ?? old!)[t.key], old ?? null, row, at, traceId);
        count++;
      }
    }
    return count;
  }

  /** First-committer-wins and `expect` guards: any row changed since the transaction saw it fails the whole commit. */
  private checkGuards(buf: TxBuffer): void {
    for (const [name, rows] of buf.guards!) {
      const t = this.table(name);
      const written = buf.writes.get(name)?.rows;
      for (const [pk, g] of rows) {
        const cur = t.rows.get(pk);
        if (g.expect !== undefined) {
          const bad = cur === undefined ? undefined : mismatch(cur, g.expect);
          if (bad !== null) throw expectConflict(this.owner, name, t.key, pk, bad);
        }
        // Only rows this transaction writes are guarded by what it saw (rows it merely read are not: write skew stays possible).
        if (g.base !== NO_BASE && cur !== g.base && written !== undefined && written.has(pk)) throw writeConflict(this.owner, name, t.key, pk);
      }
    }
  }

  private logChange(txId: number, table: string, key: Json, before: Row | null, after: Row | null, at: number, traceId: number): void {
    const op = before === null ? 'insert' : after === null ? 'delete' : 'update';
    this.log.push(Object.freeze({ lsn: this.log.length + 1, txId, table, op, key: key as string | number, before, after, at, traceId }));
  }

  /**
   * Loads rows before the run (a scenario's initial state) as one commit with
   * txId 0: validated like inserts, and in the change log like any commit.
   */
  preload(table: string, rows: readonly Row[], at: number, traceId: number): number {
    const buf = new TxBuffer(this);
    for (const r of rows) buf.insert(table, r); // validates keys and unique constraints, also against existing rows
    const w = buf.writes.get(table);
    if (!w) return 0;
    const t = this.table(table);
    for (const [pk, row] of w.rows) {
      t.rows.set(pk, row!);
      t.unique.forEach((fields, i) => { const v = composite(row!, fields); if (v !== undefined) t.indexes[i]!.set(v, pk); });
      this.logChange(0, table, row![t.key], null, row, at, traceId);
    }
    return w.rows.size;
  }

  /** The full change log (frozen records, shared: for checks, replays and the UI; never handed to service code). */
  changeLog(): readonly ChangeRecord[] {
    return this.log;
  }

  /** Log sequence number of the last change (0 when none). */
  get lastLsn(): number {
    return this.log.length;
  }

  /** Changes after `afterLsn`, at most `limit`, as copies for service code. */
  changes(afterLsn: number, limit: number): Change[] {
    if (!Number.isInteger(afterLsn) || afterLsn < 0) throw new SimError('BadArgument', `changes: afterLsn must be an integer >= 0, got ${String(afterLsn)}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_PER_CALL) {
      throw new SimError('BadArgument', `changes: limit must be an integer from 1 to ${MAX_CHANGES_PER_CALL}, got ${String(limit)}`);
    }
    const out: Change[] = [];
    const end = Math.min(this.log.length, afterLsn + limit);
    for (let i = afterLsn; i < end; i++) {
      const c = this.log[i]!;
      out.push({
        lsn: c.lsn, txId: c.txId, table: c.table, op: c.op, key: c.key,
        before: c.before === null ? null : cloneJson(c.before),
        after: c.after === null ? null : cloneJson(c.after),
        at: c.at,
      });
    }
    return out;
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(DatabaseStore);
Object.freeze(DatabaseStore.prototype);

/** What a commit must re-check for one row: the row object first seen (identity = version), and/or expected field values. */
interface Guard {
  /** Committed row object when the transaction first touched it (undefined: absent); NO_BASE when only `expect` applies. Commits replace row objects, so identity is the version. */
  base: Row | undefined | typeof NO_BASE;
  /** Field values the committed row must still have at commit. */
  expect?: Row;
}

const NO_BASE = Symbol('no base');

/** Per-table buffered writes: final row per primary key (null = deleted), and which keys were inserted. */
export type TxWrites = Map<string, { rows: Map<string, Row | null>; inserted: Set<string> }>;

/** Read-your-writes view over a store plus buffered writes; it validates eagerly so errors point at the line that caused them. */
export class TxBuffer {
  readonly writes: TxWrites = new Map();
  /** Rows the commit must re-check (first-committer-wins tables, `expect`); null until one is needed. */
  guards: Map<string, Map<string, Guard>> | null = null;
  constructor(private readonly store: DatabaseStore) {}

  /** The row's guard, created on first touch with the committed row as it is now. */
  private guard(table: string, t: Table, pk: string): Guard {
    const all = (this.guards ??= new Map());
    let rows = all.get(table);
    if (!rows) all.set(table, (rows = new Map()));
    let g = rows.get(pk);
    if (!g) rows.set(pk, (g = { base: t.fcw ? t.rows.get(pk) : NO_BASE }));
    return g;
  }

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
    const pk = String(key);
    const r = this.current(table, pk);
    const t = this.store.table(table);
    if (t.fcw) this.guard(table, t, pk);
    return r === undefined ? undefined : cloneJson(r);
  }

  scan(table: string, filter?: RowFilter<Row>): Row[] {
    const match = toPredicate(filter);
    const t = this.store.table(table);
    const w = this.writes.get(table);
    const out: Row[] = [];
    for (const [pk, r] of t.rows) {
      const cur = w && w.rows.has(pk) ? w.rows.get(pk) : r;
      const c = cur ? match(cur) : undefined;
      if (c) {
        if (t.fcw) this.guard(table, t, pk);
        out.push(c);
      }
    }
    if (w) {
      for (const [pk, r] of w.rows) {
        const c = r && !t.rows.has(pk) ? match(r) : undefined;
        if (c) out.push(c);
      }
    }
    return out;
  }

  insert(table: string, row: Row): void {
    const t = this.store.table(table);
    const frozen = checkRow(row, t.key, table);
    const pk = String(frozen[t.key]);
    if (this.current(table, pk) !== undefined) throw uniqueViolation(this.store.owner, table, `${t.key} = ${pk}`);
    this.checkUnique(table, pk, frozen);
    if (t.fcw) this.guard(table, t, pk);
    const w = this.w(table);
    w.rows.set(pk, frozen);
    if (!t.rows.has(pk)) w.inserted.add(pk);
  }

  put(table: string, row: Row): void {
    const t = this.store.table(table);
    const frozen = checkRow(row, t.key, table);
    const pk = String(frozen[t.key]);
    this.checkUnique(table, pk, frozen);
    if (t.fcw) this.guard(table, t, pk);
    this.w(table).rows.set(pk, frozen);
  }

  update(table: string, key: PrimaryKey, patch: Row, options?: WriteOptions): void {
    const t = this.store.table(table);
    const pk = String(key);
    const old = this.current(table, pk);
    if (old === undefined) throw new SimError('NoSuchRow', `update: no row with ${t.key} = ${pk} in table "${table}"`);
    const p = clonePlain(patch, `update ${table}`);
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new SimError('BadArgument', `update ${table}: patch must be an object`);
    if (t.key in p && String(p[t.key]) !== pk) throw new SimError('BadArgument', `update ${table}: the primary key "${t.key}" cannot change`);
    const next = isolate({ ...old, ...p }, `update ${table}`);
    this.checkUnique(table, pk, next);
    this.expectNow(table, t, pk, old, options, 'update');
    if (t.fcw) this.guard(table, t, pk);
    this.w(table).rows.set(pk, next);
  }

  delete(table: string, key: PrimaryKey, options?: WriteOptions): void {
    const pk = String(key);
    const t = this.store.table(table);
    if (options !== undefined) {
      const old = this.current(table, pk);
      if (old === undefined && options.expect !== undefined) throw expectConflict(this.store.owner, table, t.key, pk, undefined);
      if (old !== undefined) this.expectNow(table, t, pk, old, options, 'delete');
    }
    if (t.fcw) this.guard(table, t, pk);
    const w = this.w(table);
    if (w.inserted.has(pk)) {
      w.inserted.delete(pk);
      w.rows.delete(pk);
    } else w.rows.set(pk, DELETED);
  }

  /**
   * `expect`: the row as this transaction sees it must match now; if the
   * transaction has not written the row before, the committed row must still
   * match at commit.
   */
  private expectNow(table: string, t: Table, pk: string, seen: Row, options: WriteOptions | undefined, op: string): void {
    if (options === undefined || options === null) return;
    if (typeof options !== 'object') throw new SimError('BadArgument', `${op} ${table}: options must be an object like { expect: { version: 3 } }`);
    if (options.expect === undefined) return;
    const expect = clonePlain(options.expect, `${op} ${table}: expect`);
    if (expect === null || typeof expect !== 'object' || Array.isArray(expect)) throw new SimError('BadArgument', `${op} ${table}: expect must be an object of field values`);
    const bad = mismatch(seen, expect);
    if (bad !== null) throw expectConflict(this.store.owner, table, t.key, pk, bad);
    const ownWrite = this.writes.get(table)?.rows.has(pk) ?? false;
    if (!ownWrite) this.guard(table, t, pk).expect = expect;
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

/** The first field of `expect` whose value differs in `row` (JSON equality), or null when all match. */
function mismatch(row: Row, expect: Row): { field: string; want: Json; found: Json | undefined } | null {
  for (const field of Object.keys(expect)) {
    const want = expect[field] as Json;
    const found = row[field] as Json | undefined;
    if (found === want) continue;
    if (found !== undefined && typeof want === 'object' && want !== null && typeof found === 'object' && found !== null && canonicalJson(found) === canonicalJson(want)) continue;
    return { field, want, found };
  }
  return null;
}

function writeConflict(owner: string, table: string, key: string, pk: string): SimError {
  return new SimError(
    'WriteConflict',
    `write conflict in ${owner}.${table}: the row ${key} = ${pk} was changed by another transaction after this one read it (first-committer-wins); nothing was committed — read it again and retry`,
  );
}

/** `bad` undefined: the row is gone. */
function expectConflict(owner: string, table: string, key: string, pk: string, bad: { field: string; want: Json; found: Json | undefined } | undefined): SimError {
  const what = bad === undefined
    ? `the row ${key} = ${pk} does not exist`
    : `expected ${bad.field} = ${JSON.stringify(bad.want)} in the row ${key} = ${pk}, found ${bad.found === undefined ? 'no such field' : JSON.stringify(bad.found)}`;
  return new SimError('WriteConflict', `write conflict in ${owner}.${table}: ${what}; nothing was committed`);
}

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
 * A row filter from service code, as "a fresh, unfrozen copy of the row if it
 * matches". A function filter is called (this === undefined) on a frozen copy
 * of the row, never on the stored row; an object filter is read once, as
 * data, and compared with stored rows.
 */
function toPredicate(filter?: RowFilter<Row>): (r: Row) => Row | undefined {
  if (filter === undefined) return (r) => cloneJson(r);
  if (typeof filter === 'function') return (r) => (callLearner(filter as (r: Row) => unknown, filterView(r)) ? cloneJson(r) : undefined);
  const f = clonePlain(filter, 'scan filter');
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new SimError('BadArgument', 'scan: the filter must be an object of field values or a function');
  const entries = Object.entries(f);
  return (r) => (entries.every(([k, v]) => r[k] === v) ? cloneJson(r) : undefined);
}

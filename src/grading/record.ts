/**
 * The RunRecord: everything the judge may read about one finished run, as
 * plain data — the one place that copies a run out of the learner's realm.
 *
 *   execute (sandbox worker, learner realm)          judge (another realm/thread)
 *   runOnce() → FinishedRun → recordRun() → encodeRecord() ──string──▶ decodeRecord() → outcome.ts
 *
 * The record holds the final committed rows of every table of every service,
 * each service's change log, the broker's final counters, the full trace
 * (events as `Trace#get` gives them), the run's own problems, the faults a
 * scenario driver injected and the crash points that fired, unhandled
 * rejections of learner code, and how the run stopped. The fault schedule and the workload data are NOT in
 * it: the judge computes those itself from (exercise, seed).
 *
 * Size: the copy is charged against a per-run budget while it is made
 * (bounded-copy.ts), and the encoded string is checked again, so a run can
 * never produce more than `runChars` characters; an over-budget run is encoded
 * as an over-cap marker, which the judge turns into a failed run naming the
 * cause. Extending the record (e.g. broker state): add a field here, fill it
 * in recordRun, validate it in decodeRecord, read it in outcome.ts.
 */
import type { StopReason } from '../sim/simulation.ts';
import { MESSAGE_KINDS, TRACE_KINDS, type MessageData, type TraceEvent } from '../sim/trace.ts';
import type { Row } from '../sim/types.ts';
import { boundedCopy, CopyLimit, jsonLengthBound, type Budget } from './bounded-copy.ts';
import type { FinishedRun } from './run.ts';
import type { BrokerState, ChangeRecord, Fault, LearnerProblem } from './types.ts';

export const RECORD_VERSION = 1;

/** Default size cap of one encoded run (characters of JSON); typical runs are 15–90 KB. */
export const DEFAULT_RUN_CHARS = 4 * 1024 * 1024;
/** Default cap of all records of one job: on average 1 MB per run, at least 64 MB. */
export function defaultJobChars(runs: number): number {
  return Math.max(64 * 1024 * 1024, runs * 1024 * 1024);
}

/** Worker-side clip of problem texts (display only; the judge clips again). */
const PROBLEM_TEXT_MAX = 2000;

export interface RecordCaps {
  /** Characters of JSON one run may produce. */
  runChars: number;
  /** Characters of JSON all runs of one job may produce together. */
  jobChars: number;
}

/** One run, as the judge receives it. */
export interface RunRecord {
  v: typeof RECORD_VERSION;
  scenario: string;
  seed: number;
  reason: StopReason;
  now: number;
  events: number;
  /** Faults a scenario driver injected, in order. */
  injected: Fault[];
  problems: LearnerProblem[];
  /** Unhandled promise rejections of learner code during the run (their descriptions). */
  rejections: string[];
  /** Final committed rows: [service, [table, rows][]][], services in the order they were added. */
  tables: Array<[string, Array<[string, Row[]]>]>;
  /** Each service's database change log, in commit order: [service, records][] (only if `ExerciseDefinition.record.changes`). */
  changes: Array<[string, ChangeRecord[]]>;
  /** The broker's final state: topic → messages published and each group's counters. */
  broker: BrokerState;
  /** Crash points that fired: [index in `[...planned faults, ...injected]`, virtual time]. */
  fired: Array<[number, number]>;
  trace: TraceColumns;
}

/**
 * The trace, column-wise (about half the JSON of one object per event, and
 * faster to parse): event i is rebuilt by `traceEventAt(columns, i)` exactly as
 * the kernel's `Trace#get(i)` returned it.
 */
export interface TraceColumns {
  /** Node names (index 0 is the broker); `s`/`p` index into it. */
  names: string[];
  /** Message types; `y` indexes into it. */
  labels: string[];
  /** Kind (index into TRACE_KINDS), time, service, peer, cause (-1: none). */
  k: number[];
  t: number[];
  s: number[];
  p: number[];
  c: number[];
  /** Message events (send/deliver): message id, envelope kind (index into MESSAGE_KINDS), type, correlation id (-1: none). */
  m: number[];
  mk: number[];
  y: number[];
  r: number[];
  /** Data: of a message event `[payload]` or null; of any other event its data, or null for none. */
  d: unknown[];
}

/** A run whose record was refused: the judge fails it with this cause. */
export interface OverCapRecord {
  v: typeof RECORD_VERSION;
  scenario: string;
  seed: number;
  overCap: { what: 'run' | 'job' | 'depth' | 'unreadable'; limitChars: number };
}

export type EncodedRecord = RunRecord | OverCapRecord;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

const KIND_INDEX = new Map<string, number>(TRACE_KINDS.map((k, i) => [k, i]));
const MESSAGE_KIND_INDEX = new Map<string, number>(MESSAGE_KINDS.map((k, i) => [k, i]));

/** The trace of a finished simulation as plain columns, charged against `budget`. */
function traceColumns(run: FinishedRun, budget: Budget): TraceColumns {
  const trace = run.sim.trace;
  const n = trace.length;
  const names = [...run.sim.names];
  const nameIdx = new Map(names.map((name, i) => [name, i]));
  const labels: string[] = [];
  const labelIdx = new Map<string, number>();
  const indexOf = (map: Map<string, number>, list: string[], v: string): number => {
    let i = map.get(v);
    if (i === undefined) {
      i = list.length;
      list.push(boundedCopy(v, budget) as string);
      map.set(v, i);
    }
    return i;
  };
  const cols: TraceColumns = { names, labels, k: new Array(n), t: new Array(n), s: new Array(n), p: new Array(n), c: new Array(n), m: new Array(n), mk: new Array(n), y: new Array(n), r: new Array(n), d: new Array(n) };
  for (let i = 0; i < n; i++) {
    const e = trace.get(i);
    cols.k[i] = KIND_INDEX.get(e.kind)!;
    cols.t[i] = e.t;
    cols.s[i] = e.service === undefined ? -1 : indexOf(nameIdx, names, e.service);
    cols.p[i] = e.peer === undefined ? -1 : indexOf(nameIdx, names, e.peer);
    cols.c[i] = e.cause ?? -1;
    // Only sends and deliveries are message events (Trace#recordMessage); their data is the envelope's fields.
    if ((e.kind === 'send' || e.kind === 'deliver') && e.data !== undefined) {
      const md = e.data as MessageData;
      cols.m[i] = md.id;
      if (md.type !== undefined) {
        cols.mk[i] = MESSAGE_KIND_INDEX.get(md.kind ?? '') ?? -1;
        cols.y[i] = indexOf(labelIdx, labels, md.type);
        cols.r[i] = md.corr ?? -1;
        cols.d[i] = 'payload' in md ? [boundedCopy(md.payload, budget) ?? null] : null;
      } else {
        cols.mk[i] = -1;
        cols.y[i] = -1;
        cols.r[i] = -1;
        cols.d[i] = null;
      }
    } else {
      cols.m[i] = -1;
      cols.mk[i] = -1;
      cols.y[i] = -1;
      cols.r[i] = -1;
      cols.d[i] = e.data === undefined ? null : (boundedCopy(e.data, budget) ?? null);
    }
    // An upper bound of the nine number columns' JSON for this event (longest numbers, commas).
    budget.left -= EVENT_COLUMN_CHARS;
  }
  return cols;
}

/** Event i of the columns, exactly as the kernel's `Trace#get(i)` gave it. */
export function traceEventAt(cols: TraceColumns, i: number): TraceEvent {
  const e: TraceEvent = { id: i, t: cols.t[i]!, kind: TRACE_KINDS[cols.k[i]!]! };
  const s = cols.s[i]!;
  if (s >= 0) e.service = cols.names[s];
  const p = cols.p[i]!;
  if (p >= 0) e.peer = cols.names[p];
  const c = cols.c[i]!;
  if (c >= 0) e.cause = c;
  const d = cols.d[i];
  const m = cols.m[i]!;
  if (m >= 0) {
    const md: MessageData = { id: m };
    const y = cols.y[i]!;
    if (y >= 0) {
      md.kind = MESSAGE_KINDS[cols.mk[i]!];
      md.type = cols.labels[y];
      if (d !== null) md.payload = (d as unknown[])[0];
      const r = cols.r[i]!;
      if (r >= 0) md.corr = r;
    }
    e.data = md;
  } else if (d !== null) e.data = d;
  return e;
}

/** Upper bound of one event's entries in the number columns: t ≤ 24 chars, eight small integers, commas. */
const EVENT_COLUMN_CHARS = 110;
/** Upper bound of a record's fixed fields (version, scenario id, seed, reason, now, events, keys). */
const RECORD_OVERHEAD_CHARS = 600;

/** Plain copy of a finished run, charged against `budget` (throws CopyLimit). */
export function recordRun(run: FinishedRun, rejections: string[], budget: Budget): RunRecord {
  const { sim } = run;
  const tables: RunRecord['tables'] = [];
  for (const service of sim.services) {
    const own: Array<[string, Row[]]> = [];
    // String(): the kernel does not insist on string table names; the record's shape must not depend on that.
    for (const table of sim.tables(service)) own.push([boundedCopy(String(table), budget) as string, boundedCopy(sim.rows(service, table), budget) as Row[]]);
    tables.push([service, own]);
  }
  // Change logs only when the exercise's checks read them (ExerciseDefinition.record): they are often the largest part.
  const changes: RunRecord['changes'] = run.input.exercise.record?.changes
    ? sim.services.map((service) => [service, boundedCopy(sim.changes(service), budget) as ChangeRecord[]])
    : [];
  const broker: BrokerState = {};
  for (const topic of sim.topics()) {
    const groups: BrokerState[string]['groups'] = {};
    for (const g of sim.groups(topic)) Object.defineProperty(groups, String(g), { value: boundedCopy(sim.groupStats(topic, g), budget), enumerable: true, writable: true, configurable: true });
    Object.defineProperty(broker, String(topic), { value: { published: sim.published(topic), groups }, enumerable: true, writable: true, configurable: true });
    budget.left -= jsonLengthBound(topic) + 40;
  }
  return {
    v: RECORD_VERSION,
    scenario: run.input.scenario,
    seed: run.input.seed,
    reason: run.result.reason,
    now: run.result.now,
    events: run.result.events,
    injected: boundedCopy(run.injected, budget) as Fault[],
    fired: run.fired.map(([i, t]) => [i, t]),
    changes,
    broker,
    problems: run.problems.map((p) => ({ ...p, message: clip(String(p.message), PROBLEM_TEXT_MAX) })),
    rejections: rejections.map((r) => clip(r, PROBLEM_TEXT_MAX)),
    tables,
    trace: traceColumns(run, budget),
  };
}

/** A record and its size: an upper bound of its JSON length, the measure both caps use on every path. */
export interface SizedRecord {
  record: EncodedRecord;
  size: number;
}

function overCapRecord(scenario: string, seed: number, what: OverCapRecord['overCap']['what'], limitChars: number): SizedRecord {
  return { record: { v: RECORD_VERSION, scenario, seed, overCap: { what, limitChars } }, size: 200 };
}

/**
 * The record of a finished run, or an over-cap marker when its data is larger
 * than `runChars` (or unreadable). Never throws for learner data.
 */
export function recordOf(run: FinishedRun, rejections: string[], runChars: number): SizedRecord {
  const { scenario, seed } = run.input;
  const budget: Budget = { left: runChars - RECORD_OVERHEAD_CHARS };
  let record: RunRecord;
  try {
    record = recordRun(run, rejections, budget);
    for (const x of [...record.problems.map((p) => p.message), ...record.rejections]) budget.left -= jsonLengthBound(x) + 80;
    if (budget.left < 0) throw new CopyLimit('size');
  } catch (e) {
    if (e instanceof CopyLimit) return overCapRecord(scenario, seed, e.limit === 'depth' ? 'depth' : 'run', runChars);
    return overCapRecord(scenario, seed, 'unreadable', runChars); // learner data that threw while read (a getter, a proxy)
  }
  return { record, size: runChars - budget.left };
}

/** The marker sent instead of a run once the job's total would pass `jobChars`. */
export function jobOverCap(scenario: string, seed: number, jobChars: number): SizedRecord {
  return overCapRecord(scenario, seed, 'job', jobChars);
}

/** A record as JSON (the worker's transport); never longer than its size. */
export function encodeRecord(r: SizedRecord): string {
  const json = JSON.stringify(r.record);
  if (json.length <= r.size) return json;
  // Cannot happen while the size is an upper bound; refuse rather than send more than counted.
  const { scenario, seed } = r.record;
  return JSON.stringify(overCapRecord(scenario, seed, 'run', r.size).record);
}

/** recordOf + encodeRecord: a finished run as JSON of at most `runChars` characters. */
export function encodeRun(run: FinishedRun, rejections: string[], runChars: number): string {
  return encodeRecord(recordOf(run, rejections, runChars));
}

// ---------------------------------------------------------------------------
// Judge side: decoding untrusted JSON
// ---------------------------------------------------------------------------

/** The record could not be accepted (wrong shape, wrong run, too big). */
export class BadRecord extends Error {
  override name = 'BadRecord';
}

const PROBLEM_KINDS = new Set<string>(['module-load', 'missing-export', 'start-error', 'handler-error', 'event-budget', 'time-limit', 'unhandled-rejection']);
const REASONS = new Set<string>(['quiescent', 'time-limit', 'event-budget']);
const FAULT_KINDS = new Set<string>(['crash', 'restart', 'partition', 'heal', 'latency', 'loss', 'db-write-failure', 'crash-after']);
const OPS = new Set<string>(['insert', 'update', 'delete']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const optNum = (v: unknown) => v === undefined || isNum(v);

function need(ok: boolean, what: string): void {
  if (!ok) throw new BadRecord(`malformed run record: ${what}`);
}

/**
 * Parses and validates one record for the planned (scenario, seed); checks the
 * size before parsing. Throws BadRecord for anything that is not a record of
 * exactly that run.
 */
export function decodeRecord(json: unknown, expect: { scenario: string; seed: number }, runChars: number): EncodedRecord {
  need(typeof json === 'string', 'not a string');
  const text = json as string;
  need(text.length <= runChars, `${text.length} characters, over the cap of ${runChars}`);
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    throw new BadRecord('malformed run record: not JSON');
  }
  return validateRecord(r, expect);
}

/** Validates a record's shape for the planned run (decoded JSON, or the object itself in process). Throws BadRecord. */
export function validateRecord(r: unknown, expect: { scenario: string; seed: number }): EncodedRecord {
  need(isObj(r), 'not an object');
  const rec = r as Record<string, unknown>;
  need(rec.v === RECORD_VERSION, `version ${String(rec.v)}`);
  need(rec.scenario === expect.scenario && rec.seed === expect.seed, `a record of ${String(rec.scenario)}/${String(rec.seed)} where ${expect.scenario}/${expect.seed} was expected`);
  if (rec.overCap !== undefined) {
    const o = rec.overCap as Record<string, unknown>;
    need(isObj(o) && ['run', 'job', 'depth', 'unreadable'].includes(o.what as string) && isNum(o.limitChars), 'overCap');
    return rec as unknown as OverCapRecord;
  }
  need(REASONS.has(rec.reason as string) && isNum(rec.now) && isNum(rec.events), 'reason/now/events');
  need(Array.isArray(rec.injected) && (rec.injected as unknown[]).every((f) => isObj(f) && isNum(f.at) && FAULT_KINDS.has(f.kind as string)), 'injected');
  need(
    Array.isArray(rec.problems) &&
      (rec.problems as unknown[]).every((p) => isObj(p) && PROBLEM_KINDS.has(p.kind as string) && typeof p.message === 'string' && optStr(p.service) && optNum(p.at)),
    'problems',
  );
  need(Array.isArray(rec.rejections) && (rec.rejections as unknown[]).every((x) => typeof x === 'string'), 'rejections');
  need(
    Array.isArray(rec.tables) &&
      (rec.tables as unknown[]).every(
        (s) =>
          Array.isArray(s) && s.length === 2 && typeof s[0] === 'string' && Array.isArray(s[1]) &&
          (s[1] as unknown[]).every((t) => Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && Array.isArray(t[1]) && (t[1] as unknown[]).every(isObj)),
      ),
    'tables',
  );
  need(
    Array.isArray(rec.changes) &&
      (rec.changes as unknown[]).every(
        (s) =>
          Array.isArray(s) && s.length === 2 && typeof s[0] === 'string' && Array.isArray(s[1]) &&
          (s[1] as unknown[]).every((c) => isObj(c) && isNum(c.lsn) && isNum(c.txId) && typeof c.table === 'string' && OPS.has(c.op as string) && isNum(c.at) && isNum(c.traceId) && (c.before === null || isObj(c.before)) && (c.after === null || isObj(c.after))),
      ),
    'changes',
  );
  need(
    isObj(rec.broker) &&
      Object.values(rec.broker as Record<string, unknown>).every(
        (t) => isObj(t) && isNum(t.published) && isObj(t.groups) && Object.values(t.groups as Record<string, unknown>).every((g) => isObj(g) && ['published', 'acked', 'pending', 'inFlight', 'retrying', 'backlog', 'startOffset'].every((k) => isNum(g[k]))),
      ),
    'broker',
  );
  need(Array.isArray(rec.fired) && (rec.fired as unknown[]).every((f) => Array.isArray(f) && f.length === 2 && isInt(f[0]) && f[0] >= 0 && isNum(f[1])), 'fired');
  validateColumns(rec.trace);
  return rec as unknown as RunRecord;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

function validateColumns(t: unknown): void {
  need(isObj(t), 'trace');
  const cols = t as Record<string, unknown>;
  need(Array.isArray(cols.names) && (cols.names as unknown[]).every((x) => typeof x === 'string'), 'trace names');
  need(Array.isArray(cols.labels) && (cols.labels as unknown[]).every((x) => typeof x === 'string'), 'trace labels');
  const k = cols.k as unknown[];
  need(Array.isArray(k), 'trace kinds');
  const n = k.length;
  for (const key of ['t', 's', 'p', 'c', 'm', 'mk', 'y', 'r', 'd']) need(Array.isArray(cols[key]) && (cols[key] as unknown[]).length === n, `trace column ${key}`);
  const names = (cols.names as unknown[]).length;
  const labels = (cols.labels as unknown[]).length;
  const [tt, s, p, c, m, mk, y, r, d] = ['t', 's', 'p', 'c', 'm', 'mk', 'y', 'r', 'd'].map((key) => cols[key] as unknown[]) as unknown[][];
  for (let i = 0; i < n; i++) {
    const ki = k[i];
    need(isInt(ki) && ki >= 0 && ki < TRACE_KINDS.length && isNum(tt![i]), `trace event ${i}`);
    const si = s![i], pi = p![i], ci = c![i], mi = m![i], mki = mk![i], yi = y![i], ri = r![i], di = d![i];
    need(isInt(si) && si >= -1 && si < names && isInt(pi) && pi >= -1 && pi < names && isInt(ci) && ci >= -1 && ci < i, `trace event ${i} nodes`);
    need(isInt(mi) && mi >= -1 && isInt(mki) && mki >= -1 && mki < MESSAGE_KINDS.length && isInt(yi) && yi >= -1 && yi < labels && isInt(ri) && ri >= -1, `trace event ${i} message`);
    if ((mi as number) >= 0 && (yi as number) >= 0) need(di === null || (Array.isArray(di) && di.length === 1), `trace event ${i} payload`);
    else need((mi as number) < 0 || di === null, `trace event ${i} data`);
  }
}

export function isOverCap(r: EncodedRecord): r is OverCapRecord {
  return (r as OverCapRecord).overCap !== undefined;
}

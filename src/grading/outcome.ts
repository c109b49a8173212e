/**
 * Judge side: the RunOutcome a check's `verify(run)` reads, rebuilt from a
 * decoded RunRecord plus what the judge planned itself (the fault schedule and
 * the workload data). Also the run's fingerprint (for the grade's digest) and
 * its SHA-256 trace digest, computed here from the record, never in the
 * learner's realm.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { FastHash } from '../sim/fast-hash.ts';
import { canonicalJson } from '../sim/json.ts';
import { quietTime } from '../sim/nemesis.ts';
import { TRACE_KINDS, type TraceEvent } from '../sim/trace.ts';
import type { Row } from '../sim/types.ts';
import type { PlannedRun } from './plan.ts';
import { traceEventAt, type EncodedRecord, type RunRecord } from './record.ts';
import type { ExerciseDefinition, Fault, LearnerProblem, RunOutcome } from './types.ts';

/** A RunOutcome the judge built, with what only the judge needs. */
export interface JudgedRun extends RunOutcome {
  /** Services and their tables, in the order the run created them. */
  tableList: Array<[string, Array<[string, Row[]]>]>;
  /** SHA-256 of the canonical JSON lines of the trace (same value as the kernel's `Trace#digest()`). */
  digest(): string;
}

/** How many learner errors `learnerErrors()` collects at most. */
const MAX_LEARNER_ERRORS = 20;

/** "Name: message", without doubling a name the message already starts with. */
export function errorText(err: { name?: unknown; message?: unknown }): string {
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const message = typeof err.message === 'string' ? err.message : '';
  return message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
}

const EMPTY: Row[] = Object.freeze([]) as unknown as Row[];

export function outcomeFromRecord(ex: ExerciseDefinition, planned: PlannedRun, rec: RunRecord): JudgedRun {
  const tables = new Map<string, Map<string, Row[]>>();
  for (const [service, own] of rec.tables) tables.set(service, new Map(own));
  // The planned schedule is the truth; a driver's injected faults and the times crash points fired come from the run.
  const scheduled: Fault[] = [...planned.faults, ...rec.injected];
  for (const [i, firedAt] of rec.fired) {
    const f = scheduled[i];
    if (f && f.kind === 'crash-after') scheduled[i] = { ...f, firedAt };
  }
  const faults = scheduled.sort((a, b) => a.at - b.at);
  const changes = new Map(rec.changes);
  const cols = rec.trace;
  const n = cols.k.length;
  let all: TraceEvent[] | undefined;
  const trace = (): TraceEvent[] => {
    if (!all) {
      all = new Array(n);
      for (let i = 0; i < n; i++) all[i] = traceEventAt(cols, i);
    }
    return all;
  };
  const at = (i: number): TraceEvent => (all ? all[i]! : traceEventAt(cols, i));
  const learnerNames = new Set(ex.learnerServices.map((s) => s.service));
  const learnerIdx = new Set(cols.names.map((name, i) => (learnerNames.has(name) ? i : -1)).filter((i) => i >= 0));
  let errors: LearnerProblem[] | undefined;
  const learnerErrors = (): LearnerProblem[] => {
    if (errors) return errors;
    errors = [];
    for (let i = 0; i < n && errors.length < MAX_LEARNER_ERRORS; i++) {
      const kind = TRACE_KINDS[cols.k[i]!];
      if (kind !== 'handler-error' && kind !== 'start-error' && kind !== 'send') continue;
      if (!learnerIdx.has(cols.s[i]!)) continue;
      const e = at(i);
      if (kind === 'send') {
        const d = e.data as { kind?: string; type?: string; payload?: { ok?: boolean; error?: { name?: string; message?: string } } } | undefined;
        if (d?.kind !== 'response' || typeof d.payload !== 'object' || d.payload === null || d.payload.ok !== false || !d.payload.error || typeof d.payload.error !== 'object') continue;
        errors.push({ kind: 'handler-error', service: e.service!, message: `request "${String(d.type)}": ${errorText(d.payload.error)}`, at: e.t });
        continue;
      }
      const d = e.data as { where?: unknown; error?: { name?: unknown; message?: unknown } } | undefined;
      const already = rec.problems.some((p) => p.service === e.service && p.at === e.t && (p.kind === 'module-load' || p.kind === 'missing-export'));
      if (already) continue;
      errors.push({
        kind: kind === 'start-error' ? 'start-error' : 'handler-error',
        service: e.service!,
        message: d?.error && typeof d.error === 'object' ? `${typeof d.where === 'string' && d.where ? d.where + ': ' : ''}${errorText(d.error)}` : 'error',
        at: e.t,
      });
    }
    for (const r of rec.rejections) {
      if (errors.length >= MAX_LEARNER_ERRORS) break;
      errors.push({ kind: 'unhandled-rejection', message: r, at: rec.now });
    }
    return errors;
  };
  return {
    scenario: planned.scenario,
    seed: planned.seed,
    random: planned.random,
    faults,
    quietAt: quietTime(faults),
    reason: rec.reason,
    now: rec.now,
    events: rec.events,
    data: planned.data,
    rows: (service, table) => tables.get(service)?.get(table) ?? EMPTY,
    tables: (service) => [...(tables.get(service)?.keys() ?? [])],
    brokerBacklog: (topic, group) => (Object.hasOwn(rec.broker, topic) && Object.hasOwn(rec.broker[topic]!.groups, group) ? rec.broker[topic]!.groups[group]!.backlog : 0),
    broker: () => rec.broker,
    changes: (service) => {
      if (!ex.record?.changes) throw new Error(`${ex.id}: RunOutcome.changes() needs \`record: { changes: true }\` in the exercise definition (change logs are not recorded otherwise)`);
      return changes.get(service) ?? [];
    },
    trace,
    traceOf: (...kinds) => {
      const want = new Set(kinds.map((k) => TRACE_KINDS.indexOf(k as TraceEvent['kind'])));
      const out: TraceEvent[] = [];
      for (let i = 0; i < n; i++) if (want.has(cols.k[i]!)) out.push(at(i));
      return out;
    },
    problems: rec.problems,
    learnerErrors,
    tableList: rec.tables,
    digest: () => traceDigest(trace()),
  };
}

/**
 * Fast 64-bit fingerprint of a run: of its record's content (structure, keys,
 * strings, numbers), so the decoded JSON from a worker and the record object in
 * process give the same value.
 */
export function fingerprintRecord(rec: EncodedRecord): string {
  const h = new FastHash();
  hashValue(h, rec);
  return h.hex();
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashValue(h: FastHash, v: unknown): void {
  switch (typeof v) {
    case 'string':
      h.int(1).update(v);
      return;
    case 'number':
      f64[0] = v === 0 ? 0 : v; // -0 is 0 in JSON
      h.int(2).int(u32[0]!).int(u32[1]!);
      return;
    case 'boolean':
      h.int(v ? 3 : 4);
      return;
    case 'object':
      break;
    default:
      h.int(5); // as null in JSON
      return;
  }
  if (v === null) {
    h.int(5);
    return;
  }
  if (Array.isArray(v)) {
    h.int(6).int(v.length);
    for (let i = 0; i < v.length; i++) hashValue(h, v[i]);
    return;
  }
  h.int(7);
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function') continue; // JSON drops them
    h.update(k);
    hashValue(h, x);
  }
  h.int(8);
}

/** SHA-256 over the canonical JSON line of every event (the format of the kernel's `Trace#digest()`). */
export function traceDigest(events: readonly TraceEvent[]): string {
  const h = sha256.create();
  const enc = new TextEncoder();
  let batch = '';
  for (const e of events) {
    batch += canonicalJson(e) + '\n';
    if (batch.length > 1 << 16) {
      h.update(enc.encode(batch));
      batch = '';
    }
  }
  if (batch) h.update(enc.encode(batch));
  return bytesToHex(h.digest());
}

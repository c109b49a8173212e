/**
 * Outages: when a fault schedule disturbs the system, as merged time intervals.
 *
 * Progress properties ("a booking that could succeed must succeed") need to know
 * whether the faults of a run could have forced a give-up. A fault is in effect
 * from its start to its end (a crash until the service's restart, a partition
 * until the heal, a timed window for its duration, a crash point that fired
 * for its restart delay); faults separated by less
 * than `mergeGapMs` of calm count as one outage, because a retry needs some calm
 * to get through. Latency windows are left out by default: they add at most tens
 * of milliseconds, well below any sensible call timeout.
 */
import type { Fault, FaultSchedule } from '../sim/nemesis.ts';

export interface Outage {
  start: number;
  /** Infinity when the fault never ends within the schedule. */
  end: number;
}

export interface OutageOptions {
  /** Calm shorter than this does not end an outage (default 0: only overlapping faults merge). */
  mergeGapMs?: number;
  /** Fault kinds that count (default: all but `latency`). */
  kinds?: Array<Fault['kind']>;
}

/** One interval per fault, in schedule order (restarts and heals close, they do not open). */
export function faultWindows(schedule: FaultSchedule, kinds?: Array<Fault['kind']>): Outage[] {
  const counts = (k: Fault['kind']) => (kinds ? kinds.includes(k) : k !== 'latency');
  const sorted = schedule.slice().sort((a, b) => a.at - b.at);
  const out: Outage[] = [];
  sorted.forEach((f, i) => {
    if (!counts(f.kind)) return;
    switch (f.kind) {
      case 'crash': {
        const restart = sorted.slice(i + 1).find((g) => g.kind === 'restart' && g.service === f.service);
        out.push({ start: f.at, end: restart ? restart.at : Infinity });
        return;
      }
      case 'partition': {
        const heal = sorted.slice(i + 1).find((g) => g.kind === 'heal' || g.kind === 'partition');
        out.push({ start: f.at, end: heal ? heal.at : Infinity });
        return;
      }
      case 'latency':
      case 'loss':
      case 'db-write-failure':
        out.push({ start: f.at, end: f.at + f.durationMs });
        return;
      case 'crash-after':
        // A crash point is down from the instant it fired (reports set firedAt) until its restart.
        if (f.firedAt !== undefined) out.push({ start: f.firedAt, end: f.firedAt + f.restartAfterMs });
        return;
      default:
        return; // restart, heal
    }
  });
  return out;
}

/** The schedule's outages: fault windows merged across overlaps and short calms, in time order. */
export function outages(schedule: FaultSchedule, opts: OutageOptions = {}): Outage[] {
  const gap = opts.mergeGapMs ?? 0;
  const windows = faultWindows(schedule, opts.kinds).sort((a, b) => a.start - b.start);
  const merged: Outage[] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w.start - last.end < gap) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}

/** The longest of `list` among those overlapping [from, to]; null when none does. */
export function longestOutageDuring(list: Outage[], from: number, to: number): Outage | null {
  let best: Outage | null = null;
  for (const o of list) {
    if (o.end < from || o.start > to) continue;
    if (!best || o.end - o.start > best.end - best.start) best = o;
  }
  return best;
}

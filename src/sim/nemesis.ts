import { Prng } from './prng.ts';

/**
 * Fault schedules ("nemesis"): a declarative, serializable list of timed faults,
 * and a generator that draws random schedules from a seed. Generated schedules
 * always end healed — every crash is followed by a restart, every partition by a
 * heal, every window closes — so liveness can be checked after `quietTime`.
 */
export type Fault =
  | { at: number; kind: 'crash'; service: string }
  | { at: number; kind: 'restart'; service: string }
  | { at: number; kind: 'partition'; groups: string[][] }
  | { at: number; kind: 'heal' }
  /** Adds `extraMs` latency to matching links for `durationMs`. */
  | { at: number; kind: 'latency'; extraMs: number; durationMs: number; from?: string; to?: string }
  /** Drops messages on matching links with probability `rate` for `durationMs`. */
  | { at: number; kind: 'loss'; rate: number; durationMs: number; from?: string; to?: string }
  /** Every commit of `service` fails for `durationMs`. */
  | { at: number; kind: 'db-write-failure'; service: string; durationMs: number };

export type FaultKind = Fault['kind'];
export type FaultSchedule = Fault[];

export interface ScheduleOptions {
  /** Services the nemesis may crash or write-fail. */
  services: string[];
  /** Nodes that take part in partitions and link faults (default: `services`). */
  nodes?: string[];
  /** Faults start in [0, horizonMs) and are all over by horizonMs + maxDowntimeMs. */
  horizonMs: number;
  /** Number of fault episodes drawn (each episode may be a pair, e.g. crash + restart); default 3. */
  episodes?: number;
  /** Which episodes may be drawn; default all. */
  kinds?: Array<'crash' | 'partition' | 'latency' | 'loss' | 'db-write-failure'>;
  minDowntimeMs?: number;
  maxDowntimeMs?: number;
  /**
   * Opt-in: the number of episodes is drawn per seed, uniformly in
   * [episodes, maxEpisodes], so a learner cannot count on a fixed number of faults.
   */
  maxEpisodes?: number;
  /**
   * Opt-in: how fault durations spread over [minDowntimeMs, maxDowntimeMs].
   * 'uniform' (default) or 'mostly-short' — min + (max − min)·u³: half of the
   * faults in the lowest eighth of the range, with a tail of long ones, so that
   * both "ride it out" and "give up and compensate" get exercised. (Cubing, not
   * Math.pow/exp: only exactly rounded operations, identical in every engine.)
   */
  downtime?: 'uniform' | 'mostly-short';
}

export function generateSchedule(seed: number, opts: ScheduleOptions): FaultSchedule {
  const rng = new Prng(seed, 'nemesis');
  const kinds = opts.kinds ?? ['crash', 'partition', 'latency', 'loss', 'db-write-failure'];
  const nodes = opts.nodes ?? opts.services;
  const minDown = opts.minDowntimeMs ?? 5;
  const maxDown = opts.maxDowntimeMs ?? Math.max(minDown, opts.horizonMs / 2);
  const minEpisodes = opts.episodes ?? 3;
  // Only opted-in schedules draw the count: the default draws stay exactly as they were.
  const episodes = opts.maxEpisodes !== undefined && opts.maxEpisodes > minEpisodes ? rng.int(minEpisodes, opts.maxEpisodes) : minEpisodes;
  const skew = opts.downtime === 'mostly-short';
  const faults: FaultSchedule = [];
  const downUntil = new Map<string, number>();
  let partitionedUntil = -1;
  const round = (x: number) => Math.round(x * 1000) / 1000;

  for (let e = 0; e < episodes && kinds.length > 0; e++) {
    const kind = kinds[rng.int(0, kinds.length - 1)]!;
    const at = round(rng.next() * opts.horizonMs);
    const u = rng.next();
    const dur = round(minDown + (skew ? u * u * u : u) * (maxDown - minDown));
    switch (kind) {
      case 'crash': {
        if (opts.services.length === 0) break;
        const s = opts.services[rng.int(0, opts.services.length - 1)]!;
        if ((downUntil.get(s) ?? -1) >= at) break;
        faults.push({ at, kind: 'crash', service: s }, { at: round(at + dur), kind: 'restart', service: s });
        downUntil.set(s, at + dur);
        break;
      }
      case 'partition': {
        if (nodes.length < 2 || partitionedUntil >= at) break;
        const shuffled = [...nodes];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rng.int(0, i);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const cutAt = rng.int(1, shuffled.length - 1);
        faults.push(
          { at, kind: 'partition', groups: [shuffled.slice(0, cutAt).sort(), shuffled.slice(cutAt).sort()] },
          { at: round(at + dur), kind: 'heal' },
        );
        partitionedUntil = at + dur;
        break;
      }
      case 'latency': {
        const to = nodes[rng.int(0, nodes.length - 1)];
        faults.push({ at, kind: 'latency', extraMs: round(5 + rng.next() * 45), durationMs: dur, to });
        break;
      }
      case 'loss': {
        faults.push({ at, kind: 'loss', rate: round(0.2 + rng.next() * 0.6), durationMs: dur });
        break;
      }
      case 'db-write-failure': {
        if (opts.services.length === 0) break;
        const s = opts.services[rng.int(0, opts.services.length - 1)]!;
        faults.push({ at, kind: 'db-write-failure', service: s, durationMs: dur });
        break;
      }
    }
  }
  return faults.sort((a, b) => a.at - b.at);
}

/** Virtual time after which no fault of the schedule is in effect. */
export function quietTime(schedule: FaultSchedule): number {
  let t = 0;
  for (const f of schedule) {
    const end = 'durationMs' in f ? f.at + f.durationMs : f.at;
    if (end > t) t = end;
  }
  return t;
}

/** One line per fault, for reports: "t=140 crash payment". */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'crash':
    case 'restart':
      return `t=${f.at} ${f.kind} ${f.service}`;
    case 'partition':
      return `t=${f.at} partition ${f.groups.map((g) => `[${g.join(', ')}]`).join(' | ')}`;
    case 'heal':
      return `t=${f.at} heal`;
    case 'latency':
      return `t=${f.at} latency +${f.extraMs}ms for ${f.durationMs}ms${f.from ? ` from ${f.from}` : ''}${f.to ? ` to ${f.to}` : ''}`;
    case 'loss':
      return `t=${f.at} loss ${Math.round(f.rate * 100)}% for ${f.durationMs}ms${f.from ? ` from ${f.from}` : ''}${f.to ? ` to ${f.to}` : ''}`;
    case 'db-write-failure':
      return `t=${f.at} db-write-failure ${f.service} for ${f.durationMs}ms`;
  }
}

import { SimError } from './errors.ts';
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
  | { at: number; kind: 'db-write-failure'; service: string; durationMs: number }
  | CrashAfterFault;

export type FaultKind = Fault['kind'];
export type FaultSchedule = Fault[];

/**
 * Instants a `crash-after` fault can crash a service at, each in its own code:
 * - `tx-commit`: a transaction's commit is durable, before its promise resolves
 *   (filter `table`: the transaction wrote that table);
 * - `handler-return`: an RPC handler (filter `method`) or a broker subscription
 *   handler (filter `topic`) returned successfully, before the reply or the ack
 *   is sent;
 * - `publish-ack`: the broker stored a message the service published (filter
 *   `topic`), before the service learns it;
 * - `send`: a request (`ctx.call`) or one-way message (`ctx.send`) is on the
 *   wire (filters `method` = method or message type, `to`); the call's promise
 *   never settles, and synchronous code running on can no longer act (its
 *   calls are refused as stale).
 * - `deliver`: a request, a reply, a one-way message or a broker delivery
 *   reached the service, before any of its code sees it (filters `method` =
 *   the request's method, the method a reply answers, or the message type;
 *   `topic` for broker deliveries; `from` = the sender, `broker` for broker
 *   deliveries): the message is lost with the incarnation ("crashed on
 *   receipt"). Publish acknowledgements are the `publish-ack` point.
 */
export type CrashPointKind = 'tx-commit' | 'handler-return' | 'publish-ack' | 'send' | 'deliver';

/**
 * Crash point: from `at` on, the `nth` (default 1) matching instant of
 * `service` crashes it at exactly that instant; it restarts `restartAfterMs`
 * later. Fires at most once. Traced as `crash` with `point`; `firedAt` is set in
 * reports (absent: it never fired).
 */
export interface CrashAfterFault {
  at: number;
  kind: 'crash-after';
  service: string;
  on: CrashPointKind;
  table?: string;
  method?: string;
  topic?: string;
  to?: string;
  from?: string;
  nth?: number;
  restartAfterMs: number;
  firedAt?: number;
}

type CrashPointFilter = 'table' | 'method' | 'topic' | 'to' | 'from';
const FILTERS: readonly CrashPointFilter[] = ['table', 'method', 'topic', 'to', 'from'];

const CRASH_POINT_FILTERS: Record<CrashPointKind, readonly CrashPointFilter[]> = {
  'tx-commit': ['table'],
  'handler-return': ['method', 'topic'],
  'publish-ack': ['topic'],
  send: ['method', 'to'],
  deliver: ['method', 'topic', 'from'],
};

/** Throws a clear BadArgument when a crash-after fault is malformed (unknown point, a filter the point has not, bad numbers). */
export function checkCrashPoint(f: CrashAfterFault): void {
  const what = `crash-after fault at ${f.at}`;
  const allowed = Object.prototype.hasOwnProperty.call(CRASH_POINT_FILTERS, f.on) ? CRASH_POINT_FILTERS[f.on] : undefined;
  if (allowed === undefined) throw new SimError('BadArgument', `${what}: "on" must be one of ${Object.keys(CRASH_POINT_FILTERS).join(', ')}, got ${JSON.stringify(f.on)}`);
  if (typeof f.service !== 'string' || f.service === '') throw new SimError('BadArgument', `${what}: "service" must name a service`);
  for (const k of FILTERS) {
    if (f[k] === undefined) continue;
    if (!allowed.includes(k)) throw new SimError('BadArgument', `${what}: "${k}" does not apply to on: "${f.on}" (filters: ${allowed.join(', ')})`);
    if (typeof f[k] !== 'string') throw new SimError('BadArgument', `${what}: "${k}" must be a string`);
  }
  if (f.nth !== undefined && !(Number.isInteger(f.nth) && f.nth >= 1)) throw new SimError('BadArgument', `${what}: "nth" must be an integer >= 1, got ${String(f.nth)}`);
  if (typeof f.restartAfterMs !== 'number' || !(f.restartAfterMs >= 0) || f.restartAfterMs === Infinity) {
    throw new SimError('BadArgument', `${what}: "restartAfterMs" must be a finite number >= 0, got ${String(f.restartAfterMs)}`);
  }
}

export interface ScheduleOptions {
  /** Services the nemesis may crash or write-fail. */
  services: string[];
  /** Nodes that take part in partitions and link faults (default: `services`). */
  nodes?: string[];
  /** Faults start in [0, horizonMs) and are all over by horizonMs + maxDowntimeMs. */
  horizonMs: number;
  /** Number of fault episodes drawn (each episode may be a pair, e.g. crash + restart); default 3. */
  episodes?: number;
  /** Which episodes may be drawn; default all but `crash-after` (crash points are opt-in). */
  kinds?: Array<'crash' | 'partition' | 'latency' | 'loss' | 'db-write-failure' | 'crash-after'>;
  /**
   * Candidate crash points for `crash-after` episodes (one is drawn per
   * episode, with `nth` in 1..`crashPointMaxNth` and the downtime as
   * `restartAfterMs`); default: every point kind of every service in `services`, unfiltered.
   */
  crashPoints?: Array<Omit<CrashAfterFault, 'at' | 'kind' | 'nth' | 'restartAfterMs' | 'firedAt'>>;
  /** Largest `nth` drawn for a crash point; default 3. */
  crashPointMaxNth?: number;
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
      case 'crash-after': {
        const points = opts.crashPoints ?? opts.services.flatMap((service) => (Object.keys(CRASH_POINT_FILTERS) as CrashPointKind[]).map((on) => ({ service, on })));
        if (points.length === 0) break;
        const p = points[rng.int(0, points.length - 1)]!;
        const nth = rng.int(1, Math.max(1, opts.crashPointMaxNth ?? 3));
        faults.push({ ...p, at, kind: 'crash-after', nth, restartAfterMs: dur });
        break;
      }
    }
  }
  return faults.sort((a, b) => a.at - b.at);
}

/**
 * Virtual time after which no fault of the schedule is in effect. A crash point
 * counts from when it fired (`firedAt`, set in run reports) until its restart.
 */
export function quietTime(schedule: FaultSchedule): number {
  let t = 0;
  for (const f of schedule) {
    const end = 'durationMs' in f ? f.at + f.durationMs : f.kind === 'crash-after' && f.firedAt !== undefined ? f.firedAt + f.restartAfterMs : f.at;
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
    case 'crash-after': {
      const filters = FILTERS.filter((k) => f[k] !== undefined).map((k) => ` ${k}=${f[k]}`).join('');
      const fired = f.firedAt === undefined ? '' : ` (fired at t=${f.firedAt})`;
      return `t=${f.at} crash ${f.service} after ${f.on}${filters} #${f.nth ?? 1}, restart after ${f.restartAfterMs}ms${fired}`;
    }
  }
}

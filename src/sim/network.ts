import { SimError } from './errors.ts';
import type { Prng } from './prng.ts';

/**
 * The network's physics: per-link latency distributions, loss, duplication,
 * reordering, partitions and timed fault windows. It only decides the fate of a
 * message; the simulation schedules and traces it.
 */
export type LatencyDistribution =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; min: number; max: number }
  /** `min` plus an exponential tail with the given mean: most messages fast, a few slow. */
  | { kind: 'exponential'; min: number; mean: number };

export interface LinkConfig {
  latency: LatencyDistribution;
  /** Probability a message is lost. */
  loss: number;
  /** Probability a message is delivered twice. */
  duplicate: number;
  /** Probability a message is held back by up to `reorderMs` extra, overtaking-style reordering. */
  reorder: number;
  reorderMs: number;
}

export interface NetworkConfig extends Partial<LinkConfig> {
  /** Overrides for directed links, keyed `"from->to"`. */
  links?: Record<string, Partial<LinkConfig>>;
}

export const DEFAULT_LINK: LinkConfig = {
  latency: { kind: 'uniform', min: 1, max: 5 },
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderMs: 10,
};

interface Window {
  from: number; // node index or -1 for any
  to: number;
  until: number;
  extraMs: number;
  loss: number;
}

export class Network {
  private readonly base: LinkConfig;
  private readonly linkOverrides = new Map<string, Partial<LinkConfig>>();
  private readonly linkCache = new Map<number, LinkConfig>();
  /** Partition group of each node index; undefined when healed. */
  private group: Int32Array | undefined;
  private windows: Window[] = [];

  constructor(config: NetworkConfig = {}, private readonly rng: Prng, private readonly nodeIndex: (name: string) => number) {
    const { links, ...rest } = config;
    this.base = { ...DEFAULT_LINK, ...stripUndefined(rest) };
    validateLink(this.base, 'network');
    for (const [k, v] of Object.entries(links ?? {})) this.linkOverrides.set(k, v);
  }

  private link(from: number, to: number, names: readonly string[]): LinkConfig {
    if (this.linkOverrides.size === 0) return this.base;
    const id = from * 65536 + to;
    let l = this.linkCache.get(id);
    if (!l) {
      const o = this.linkOverrides.get(`${names[from]}->${names[to]}`);
      l = o ? { ...this.base, ...stripUndefined(o) } : this.base;
      validateLink(l, `link ${names[from]}->${names[to]}`);
      this.linkCache.set(id, l);
    }
    return l;
  }

  /** True when a partition separates the two nodes. */
  cut(from: number, to: number): boolean {
    const g = this.group;
    return g !== undefined && g[from] !== g[to];
  }

  /**
   * Fate of one message sent now: -1 if lost, else its latency; `dupLatency` is set
   * (>= 0) when the network also delivers a duplicate.
   */
  route(from: number, to: number, now: number, names: readonly string[]): number {
    const l = this.link(from, to, names);
    let loss = l.loss;
    let extra = 0;
    if (this.windows.length) {
      for (const w of this.windows) {
        if (w.until <= now) continue;
        if ((w.from < 0 || w.from === from) && (w.to < 0 || w.to === to)) {
          extra += w.extraMs;
          loss = 1 - (1 - loss) * (1 - w.loss);
        }
      }
    }
    const rng = this.rng;
    if (loss > 0 && rng.next() < loss) return -1;
    let latency = this.sample(l.latency) + extra;
    if (l.reorder > 0 && rng.next() < l.reorder) latency += Math.round(rng.next() * l.reorderMs * 1000) / 1000;
    this.dupLatency = l.duplicate > 0 && rng.next() < l.duplicate ? this.sample(l.latency) + extra + Math.round(rng.next() * l.reorderMs * 1000) / 1000 : -1;
    return latency;
  }

  /** Set by `route`: latency of the duplicate copy, or -1 for none. */
  dupLatency = -1;

  /** Latency in ms, rounded to whole microseconds so traces read cleanly. */
  private sample(d: LatencyDistribution): number {
    switch (d.kind) {
      case 'fixed':
        return d.ms;
      case 'uniform':
        return Math.round((d.min + this.rng.next() * (d.max - d.min)) * 1000) / 1000;
      case 'exponential':
        return Math.round((d.min - d.mean * Math.log(1 - this.rng.next())) * 1000) / 1000;
    }
  }

  /** Splits the nodes into groups; nodes not listed form one more group together. */
  partition(groups: string[][], nodeCount: number): void {
    const g = new Int32Array(nodeCount).fill(groups.length);
    groups.forEach((members, i) => {
      for (const m of members) {
        const idx = this.nodeIndex(m);
        if (idx < 0) throw new SimError('BadArgument', `partition: unknown node "${m}"`);
        g[idx] = i;
      }
    });
    this.group = g;
  }

  /** Grows the partition map when nodes are added while partitioned (new nodes join the unlisted group). */
  nodeAdded(nodeCount: number): void {
    if (!this.group || this.group.length >= nodeCount) return;
    const g = new Int32Array(nodeCount).fill(Math.max(...this.group) + 1);
    g.set(this.group);
    this.group = g;
  }

  heal(): void {
    this.group = undefined;
  }

  get partitioned(): boolean {
    return this.group !== undefined;
  }

  addWindow(from: string | undefined, to: string | undefined, until: number, extraMs: number, loss: number): void {
    const f = from === undefined ? -1 : this.nodeIndex(from);
    const t = to === undefined ? -1 : this.nodeIndex(to);
    if ((from !== undefined && f < 0) || (to !== undefined && t < 0)) throw new SimError('BadArgument', `fault window: unknown node ${from ?? to}`);
    this.windows.push({ from: f, to: t, until, extraMs, loss });
  }

  /** Forgets windows that ended (keeps the hot path's list short). */
  expireWindows(now: number): void {
    if (this.windows.length) this.windows = this.windows.filter((w) => w.until > now);
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Network);
Object.freeze(Network.prototype);

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function validateLink(l: LinkConfig, where: string): void {
  for (const p of ['loss', 'duplicate', 'reorder'] as const) {
    if (!(l[p] >= 0 && l[p] <= 1)) throw new SimError('BadArgument', `${where}: ${p} must be a probability in [0, 1]`);
  }
  const d = l.latency;
  const ok = d.kind === 'fixed' ? d.ms >= 0 : d.kind === 'uniform' ? d.min >= 0 && d.max >= d.min : d.kind === 'exponential' ? d.min >= 0 && d.mean >= 0 : false;
  if (!ok) throw new SimError('BadArgument', `${where}: invalid latency distribution ${JSON.stringify(d)}`);
}

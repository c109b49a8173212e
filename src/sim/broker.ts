import { BACK, BDELIVER, BNACK, Envelope, PUB, PUBACK } from './envelope.ts';
import { SimError } from './errors.ts';
import { K } from './trace.ts';
import type { Kernel } from './simulation.ts';
import type { SubscribeOptions } from './types.ts';

/**
 * The message broker: durable topics, consumer groups, at-least-once delivery.
 * It is a node on the network (named `broker`), so partitions and loss affect it
 * like any service; it never crashes. A delivery stays in flight until the
 * consumer's ack arrives; no ack within `ackTimeoutMs` (consumer crashed, ack
 * lost, handler slow) means redelivery. With `orderedByKey`, a key has at most
 * one message in flight, so messages of one key are processed in publish order.
 * Every message has an offset (its position in the topic); a group starts at an
 * offset chosen when it is created (`SubscribeOptions.from`) and the broker
 * keeps its position: for each group, every message from its start offset on is
 * exactly one of pending, in flight, waiting for a retry, or acknowledged.
 */
export interface TopicConfig {
  orderedByKey?: boolean;
  /** Virtual ms to wait for an ack before redelivering; default 100. */
  ackTimeoutMs?: number;
  /** Virtual ms before redelivering after a handler failed (nack); default 20. */
  retryDelayMs?: number;
  /** Probability that the broker delivers a message twice at once. */
  duplicate?: number;
}

interface StoredMessage {
  id: string;
  seq: number;
  key: string | null;
  payload: unknown;
  publishedBy: string;
}

interface InFlight {
  msg: StoredMessage;
  attempt: number;
}

interface Group {
  name: string;
  topic: Topic;
  consumers: number[];
  rr: number;
  /** First offset this group consumes. */
  start: number;
  pending: StoredMessage[];
  deliveries: Map<string, number>;
  inflight: Map<string, InFlight>;
  keysInFlight: Set<string>;
  /** Messages nacked and waiting for their retry. */
  retrying: number;
  acked: number;
}

/** A consumer group's position, for checks and the UI. `backlog = published - acked = pending + inFlight + retrying`. */
export interface GroupStats {
  /** Messages of the topic from the group's start offset on. */
  published: number;
  acked: number;
  pending: number;
  inFlight: number;
  retrying: number;
  backlog: number;
  startOffset: number;
}

interface Topic {
  name: string;
  cfg: Required<TopicConfig>;
  seq: number;
  /** Every message ever stored: a group created later starts from the beginning. */
  log: StoredMessage[];
  groups: Map<string, Group>;
}

export interface BrokerTimeout {
  group: Group;
  id: string;
  attempt: number;
  /** Set for a retry after a nack: the message to requeue. */
  retry?: StoredMessage;
}

export class Broker {
  private readonly topics = new Map<string, Topic>();
  private attempts = 0;

  constructor(private readonly k: Kernel, private readonly configs: Record<string, TopicConfig> = {}) {
    for (const [name, c] of Object.entries(configs)) checkTopicConfig(name, c);
  }

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      const c = this.configs[name] ?? {};
      t = {
        name,
        cfg: { orderedByKey: c.orderedByKey ?? false, ackTimeoutMs: c.ackTimeoutMs ?? 100, retryDelayMs: c.retryDelayMs ?? 20, duplicate: c.duplicate ?? 0 },
        seq: 0,
        log: [],
        groups: new Map(),
      };
      this.topics.set(name, t);
    }
    return t;
  }

  /**
   * A service subscribed (control plane: joining is instant, deliveries still
   * cross the network). `from` only matters when this creates the group.
   */
  join(topicName: string, group: string, node: number, from: SubscribeOptions['from']): void {
    const k = this.k;
    const t = this.topic(topicName);
    let g = t.groups.get(group);
    const created = g === undefined;
    if (!g) {
      const start = from === undefined || from === 'beginning' ? 0 : from === 'end' ? t.log.length : from;
      g = { name: group, topic: t, consumers: [], rr: 0, start, pending: t.log.slice(start), deliveries: new Map(), inflight: new Map(), keysInFlight: new Set(), retrying: 0, acked: 0 };
      t.groups.set(group, g);
    }
    if (k.tracing) k.trace.record(K.subscribe, k.now, node, k.brokerIdx, k.cause, { topic: t.name, group, startOffset: g.start, created });
    if (!g.consumers.includes(node)) g.consumers.push(node);
    this.pump(g);
  }

  receive(env: Envelope): void {
    const k = this.k;
    const p = env.payload as { topic: string; group?: string; id?: string; key?: string | null; payload?: unknown };
    switch (env.kind) {
      case PUB: {
        const t = this.topic(env.type);
        const msg: StoredMessage = { id: `${t.name}#${++t.seq}`, seq: t.seq, key: p.key ?? null, payload: p.payload, publishedBy: k.names[env.from]! };
        const publishId = k.tracing ? k.trace.record(K.publish, k.now, k.brokerIdx, env.from, k.cause, { topic: t.name, id: msg.id, key: msg.key, payload: msg.payload }) : -1;
        t.log.push(msg);
        k.stored(env, t.name, publishId);
        k.sendEnvelope(new Envelope(k.nextMessageId(), PUBACK, k.brokerIdx, env.from, env.type, { id: msg.id }, env.id, k.now));
        for (const g of t.groups.values()) {
          if (msg.seq - 1 < g.start) continue;
          g.pending.push(msg);
          this.pump(g);
        }
        return;
      }
      case BACK:
      case BNACK: {
        const g = this.topics.get(p.topic)?.groups.get(p.group!);
        const f = g?.inflight.get(p.id!);
        if (!g || !f) return; // late ack of a message already redelivered or acked
        g.inflight.delete(f.msg.id);
        if (f.msg.key !== null) g.keysInFlight.delete(f.msg.key);
        if (env.kind === BACK) {
          if (k.tracing) k.trace.record(K.ack, k.now, k.brokerIdx, env.from, k.cause, { topic: g.topic.name, group: g.name, id: f.msg.id });
          g.acked++;
          this.pump(g);
        } else {
          if (k.tracing) k.trace.record(K.nack, k.now, k.brokerIdx, env.from, k.cause, { topic: g.topic.name, group: g.name, id: f.msg.id });
          if (f.msg.key !== null && g.topic.cfg.orderedByKey) g.keysInFlight.add(f.msg.key); // hold the key until the retry
          g.retrying++;
          k.scheduleBroker(g.topic.cfg.retryDelayMs, { group: g, id: f.msg.id, attempt: f.attempt, retry: f.msg });
        }
        return;
      }
    }
  }

  /** An ack deadline passed, or a retry after a nack is due. */
  timeout(t: BrokerTimeout): void {
    const k = this.k;
    const g = t.group;
    if (t.retry) {
      g.retrying--;
      if (t.retry.key !== null) g.keysInFlight.delete(t.retry.key);
      if (k.tracing) k.trace.record(K.redeliver, k.now, k.brokerIdx, -1, k.cause, { topic: g.topic.name, group: g.name, id: t.id, reason: 'nack' });
      this.requeue(g, t.retry);
      return;
    }
    const f = g.inflight.get(t.id);
    if (!f || f.attempt !== t.attempt) return; // acked in time
    g.inflight.delete(t.id);
    if (f.msg.key !== null) g.keysInFlight.delete(f.msg.key);
    if (k.tracing) k.trace.record(K.redeliver, k.now, k.brokerIdx, -1, k.cause, { topic: g.topic.name, group: g.name, id: f.msg.id, reason: 'ack-timeout' });
    this.requeue(g, f.msg);
  }

  private requeue(g: Group, msg: StoredMessage): void {
    // Keep pending in publish order so per-key ordering survives redelivery.
    let i = g.pending.length;
    while (i > 0 && g.pending[i - 1]!.seq > msg.seq) i--;
    g.pending.splice(i, 0, msg);
    this.pump(g);
  }

  private pump(g: Group): void {
    const k = this.k;
    if (g.pending.length === 0) return;
    const ordered = g.topic.cfg.orderedByKey;
    let kept = 0;
    for (let i = 0; i < g.pending.length; i++) {
      const msg = g.pending[i]!;
      const consumer = ordered && msg.key !== null && g.keysInFlight.has(msg.key) ? -1 : this.pickConsumer(g);
      if (consumer < 0) {
        g.pending[kept++] = msg;
        continue;
      }
      const deliveries = (g.deliveries.get(msg.id) ?? 0) + 1;
      g.deliveries.set(msg.id, deliveries);
      const attempt = ++this.attempts;
      g.inflight.set(msg.id, { msg, attempt });
      if (msg.key !== null && ordered) g.keysInFlight.add(msg.key);
      const body = { topic: g.topic.name, group: g.name, id: msg.id, key: msg.key, payload: msg.payload, deliveryCount: deliveries, publishedBy: msg.publishedBy, offset: msg.seq - 1 };
      if (k.tracing) k.trace.record(K['broker-deliver'], k.now, k.brokerIdx, consumer, k.cause, { topic: g.topic.name, group: g.name, id: msg.id, deliveryCount: deliveries });
      const env = new Envelope(k.nextMessageId(), BDELIVER, k.brokerIdx, consumer, g.topic.name, Object.freeze(body), -1, k.now);
      k.sendEnvelope(env);
      if (g.topic.cfg.duplicate > 0 && k.brokerRng.chance(g.topic.cfg.duplicate)) {
        if (k.tracing) k.trace.record(K.duplicate, k.now, k.brokerIdx, consumer, k.cause, { topic: g.topic.name, id: msg.id });
        k.sendEnvelope(env);
      }
      k.scheduleBroker(g.topic.cfg.ackTimeoutMs, { group: g, id: msg.id, attempt });
    }
    g.pending.length = kept;
  }

  /** Next live consumer of the group, round-robin; -1 if none is up. */
  private pickConsumer(g: Group): number {
    const n = g.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = g.consumers[(g.rr + i) % n]!;
      if (this.k.isNodeUp(c)) {
        g.rr = (g.rr + i + 1) % n;
        return c;
      }
    }
    return -1;
  }

  /** Messages stored but not yet acknowledged by a group (for checks and the UI). */
  unacked(topic: string, group: string): number {
    const g = this.topics.get(topic)?.groups.get(group);
    return g ? g.pending.length + g.inflight.size + g.retrying : 0;
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  groupNames(topic: string): string[] {
    const t = this.topics.get(topic);
    return t ? [...t.groups.keys()] : [];
  }

  published(topic: string): number {
    return this.topics.get(topic)?.log.length ?? 0;
  }

  groupStats(topic: string, group: string): GroupStats | undefined {
    const g = this.topics.get(topic)?.groups.get(group);
    if (!g) return undefined;
    const pending = g.pending.length;
    const inFlight = g.inflight.size;
    return {
      published: Math.max(0, g.topic.log.length - g.start),
      acked: g.acked,
      pending,
      inFlight,
      retrying: g.retrying,
      backlog: pending + inFlight + g.retrying,
      startOffset: g.start,
    };
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Broker);
Object.freeze(Broker.prototype);

/** Topic options come from exercise code: bad values get a clear message instead of odd broker behaviour. */
function checkTopicConfig(name: string, c: TopicConfig): void {
  const bad = (what: string) => new SimError('BadArgument', `brokerTopics["${name}"]: ${what}`);
  if (c === null || typeof c !== 'object') throw bad('must be an object');
  if (c.orderedByKey !== undefined && typeof c.orderedByKey !== 'boolean') throw bad('orderedByKey must be true or false');
  if (c.ackTimeoutMs !== undefined && !(typeof c.ackTimeoutMs === 'number' && c.ackTimeoutMs > 0 && c.ackTimeoutMs < Infinity)) throw bad('ackTimeoutMs must be a finite number > 0');
  if (c.retryDelayMs !== undefined && !(typeof c.retryDelayMs === 'number' && c.retryDelayMs >= 0 && c.retryDelayMs < Infinity)) throw bad('retryDelayMs must be a finite number >= 0');
  if (c.duplicate !== undefined && !(typeof c.duplicate === 'number' && c.duplicate >= 0 && c.duplicate <= 1)) throw bad('duplicate must be a probability from 0 to 1');
}


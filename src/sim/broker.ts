import { BACK, BDELIVER, BNACK, Envelope, PUB, PUBACK } from './envelope.ts';
import { K } from './trace.ts';
import type { Kernel } from './simulation.ts';

/**
 * The message broker: durable topics, consumer groups, at-least-once delivery.
 * It is a node on the network (named `broker`), so partitions and loss affect it
 * like any service; it never crashes. A delivery stays in flight until the
 * consumer's ack arrives; no ack within `ackTimeoutMs` (consumer crashed, ack
 * lost, handler slow) means redelivery. With `orderedByKey`, a key has at most
 * one message in flight, so messages of one key are processed in publish order.
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
  pending: StoredMessage[];
  deliveries: Map<string, number>;
  inflight: Map<string, InFlight>;
  keysInFlight: Set<string>;
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

  constructor(private readonly k: Kernel, private readonly configs: Record<string, TopicConfig> = {}) {}

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

  /** A service subscribed (control plane: joining is instant, deliveries still cross the network). */
  join(topicName: string, group: string, node: number): void {
    const t = this.topic(topicName);
    let g = t.groups.get(group);
    if (!g) {
      g = { name: group, topic: t, consumers: [], rr: 0, pending: [...t.log], deliveries: new Map(), inflight: new Map(), keysInFlight: new Set() };
      t.groups.set(group, g);
    }
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
        if (k.tracing) k.trace.record(K.publish, k.now, k.brokerIdx, env.from, k.cause, { topic: t.name, id: msg.id, key: msg.key, payload: msg.payload });
        t.log.push(msg);
        k.sendEnvelope(new Envelope(k.nextMessageId(), PUBACK, k.brokerIdx, env.from, env.type, { id: msg.id }, env.id, k.now));
        for (const g of t.groups.values()) {
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
          this.pump(g);
        } else {
          if (k.tracing) k.trace.record(K.nack, k.now, k.brokerIdx, env.from, k.cause, { topic: g.topic.name, group: g.name, id: f.msg.id });
          if (f.msg.key !== null && g.topic.cfg.orderedByKey) g.keysInFlight.add(f.msg.key); // hold the key until the retry
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
      const body = { topic: g.topic.name, group: g.name, id: msg.id, key: msg.key, payload: msg.payload, deliveryCount: deliveries, publishedBy: msg.publishedBy };
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
    return g ? g.pending.length + g.inflight.size : 0;
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Broker);
Object.freeze(Broker.prototype);


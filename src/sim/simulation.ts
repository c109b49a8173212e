import { callLearner, errorField, isError, isThenable, showValue, watch } from './boundary.ts';
import { Broker, type BrokerTimeout, type GroupStats, type TopicConfig } from './broker.ts';
import type { ChangeRecord } from './changelog.ts';
import { createContext } from './context.ts';
import { DatabaseStore, type TxBuffer } from './database.ts';
import { BACK, BDELIVER, BNACK, Envelope, MSG, PUB, PUBACK, REQ, RES } from './envelope.ts';
import { EventQueue } from './heap.ts';
import { clipText, setErrorField, SimError } from './errors.ts';
import { cloneJson, isolate } from './json.ts';
import { Network, type NetworkConfig } from './network.ts';
import { checkCrashPoint, type CrashAfterFault, type CrashPointKind, type Fault, type FaultSchedule } from './nemesis.ts';
import { Prng } from './prng.ts';
import { K, Trace } from './trace.ts';
import type { BrokerHandler, BrokerMessageMeta, MessageHandler, MessageMeta, Row, RpcHandler, ServiceContext, ServiceDefinition, SubscribeOptions, TableSpec } from './types.ts';

/**
 * The deterministic kernel: a virtual clock, one event queue, the nodes
 * (services and the broker), the network, and the trace.
 *
 * Determinism: all randomness comes from seeded streams, all time is virtual,
 * and events run in (time, schedule order). Service code is asynchronous; after
 * an event that resumed service code the loop yields a fixed number of
 * microtask turns so continuations run before the clock moves on, and before
 * declaring quiescence it yields a macrotask so every pending continuation has
 * run. Both are functions of the code alone, so a run replays exactly.
 */
export interface SimulationOptions {
  seed: number;
  /** Record the trace (default true). */
  trace?: boolean;
  network?: NetworkConfig;
  brokerTopics?: Record<string, TopicConfig>;
  /** Stop after this many events (guards against async spins); default 5,000,000. */
  maxEvents?: number;
  /** Never run past this virtual time; default unlimited. */
  maxTime?: number;
  /** Virtual ms from a transaction's end to its commit; default 0.5. */
  commitLatencyMs?: number;
  /**
   * `tx-commit` trace events also carry `changes: { [table]: { insert, update, delete } }`
   * (row counts by operation); default false, which keeps traces as they were.
   */
  traceChanges?: boolean;
  /** Turns thrown values into report-friendly errors (the sandbox maps learner lines here). */
  describeError?: (err: unknown) => ErrorInfo;
}

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  line?: number;
  column?: number;
}

export type StopReason = 'quiescent' | 'time-limit' | 'event-budget';

export interface RunResult {
  reason: StopReason;
  /** Virtual time when the run stopped. */
  now: number;
  /** Events processed since the simulation was created. */
  events: number;
}

/** Result of `runUntilCondition`: `reason` is `'condition'` when the condition held. */
export interface ConditionResult {
  reason: StopReason | 'condition';
  now: number;
  events: number;
}

/** One life of a service, from (re)start to crash. */
export interface Incarnation {
  readonly node: SimNode;
  readonly n: number;
  alive: boolean;
  readonly rpc: Map<string, RpcHandler>;
  readonly msg: Map<string, MessageHandler>;
  readonly subs: Map<string, BrokerHandler>;
  readonly timers: Map<number, TimerRecord>;
  readonly rng: Prng;
  ctx: ServiceContext | null;
}

export interface SimNode {
  readonly idx: number;
  readonly name: string;
  /** The service's code; replaced by `redeploy`. */
  def: ServiceDefinition | null;
  readonly store: DatabaseStore;
  up: boolean;
  incarnations: number;
  inc: Incarnation | null;
  writeFailUntil: number;
}

interface TimerRecord {
  inc: Incarnation;
  id: number;
  fn: () => unknown;
}

interface PendingCall {
  inc: Incarnation;
  resolve: (v: any) => void;
  reject: (e: unknown) => void;
  to: string;
  what: string;
  publish: boolean;
}

/** A crash point armed by a `crash-after` fault, until it fires. */
interface ArmedCrashPoint {
  readonly fault: CrashAfterFault;
  /** Matching occurrences seen since it was armed. */
  seen: number;
  /** Virtual time it fired; -1 while armed. */
  firedAt: number;
}

interface CommitJob {
  inc: Incarnation;
  store: DatabaseStore;
  buf: TxBuffer;
  resolve: () => void;
  reject: (e: unknown) => void;
}

// Event-queue op codes.
const OP_START = 0;
const OP_DELIVER = 1;
const OP_TIMER = 2;
const OP_WAKE = 3;
const OP_CALL_TIMEOUT = 4;
const OP_COMMIT = 5;
const OP_FAULT = 6;
const OP_BROKER = 7;

/** Microtask turns yielded after an event that resumed service code. */
const CONTINUATION_TURNS = 8;
export const BROKER = 'broker';

const macrotask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((r) => setImmediate(r))
    : () =>
        new Promise((r) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            ch.port1.close();
            r();
          };
          ch.port2.postMessage(0);
        });

export class Simulation {
  /** Virtual time, ms. */
  now = 0;
  readonly trace: Trace;
  readonly tracing: boolean;
  /** Node names by index; index 0 is the broker. */
  readonly names: string[] = [BROKER];
  readonly brokerIdx = 0;
  readonly seed: number;
  /** Trace id of the event being processed: recorded as the cause of what it triggers. */
  cause = -1;
  readonly brokerRng: Prng;

  private readonly queue: EventQueue;
  private readonly nodes: SimNode[] = [];
  private readonly byName = new Map<string, SimNode>();
  private readonly network: Network;
  private readonly broker: Broker;
  private readonly calls = new Map<number, PendingCall>();
  private readonly maxEvents: number;
  private readonly maxTime: number;
  private readonly commitLatency: number;
  private readonly traceChanges: boolean;
  private readonly describe: (err: unknown) => ErrorInfo;
  /** Armed crash points (null when none: the hooks then cost one comparison). */
  private armed: ArmedCrashPoint[] | null = null;
  private readonly crashPointLog: ArmedCrashPoint[] = [];
  private processed = 0;
  private msgSeq = 0;
  private timerSeq = 0;
  private resumed = false;
  private running = false;

  constructor(opts: SimulationOptions) {
    if (!Number.isFinite(opts.seed)) throw new SimError('BadArgument', 'seed must be a finite number');
    this.seed = opts.seed;
    this.tracing = opts.trace ?? true;
    this.trace = new Trace(this.names, this.tracing);
    this.queue = new EventQueue();
    this.maxEvents = opts.maxEvents ?? 5_000_000;
    this.maxTime = opts.maxTime ?? Infinity;
    this.commitLatency = opts.commitLatencyMs ?? 0.5;
    this.traceChanges = opts.traceChanges ?? false;
    this.describe = opts.describeError ?? describeThrown;
    this.network = new Network(opts.network, new Prng(opts.seed, 'network'), (n) => this.byName.get(n)?.idx ?? (n === BROKER ? 0 : -1));
    this.brokerRng = new Prng(opts.seed, 'broker');
    this.broker = new Broker(this, opts.brokerTopics);
    this.nodes.push({ idx: 0, name: BROKER, def: null, store: new DatabaseStore(BROKER), up: true, incarnations: 0, inc: null, writeFailUntil: -1 });
  }

  // ---------------------------------------------------------------- public API

  /** Adds a service; it starts at the current virtual time (t = 0 before the first run). */
  addService(def: ServiceDefinition): this {
    if (!def || typeof def.name !== 'string' || !/^[A-Za-z][\w-]*$/.test(def.name)) {
      throw new SimError('BadArgument', `service name must be a word (letters, digits, - or _), got ${JSON.stringify(def?.name)}`);
    }
    if (typeof def.start !== 'function') throw new SimError('BadArgument', `service "${def.name}" needs a start(ctx) function`);
    if (this.byName.has(def.name) || def.name === BROKER) throw new SimError('BadArgument', `service name "${def.name}" is already taken`);
    if (this.names.length >= 32000) throw new SimError('BadArgument', 'too many services');
    const node: SimNode = { idx: this.nodes.length, name: def.name, def, store: new DatabaseStore(def.name), up: false, incarnations: 0, inc: null, writeFailUntil: -1 };
    this.nodes.push(node);
    this.names.push(def.name);
    this.byName.set(def.name, node);
    this.network.nodeAdded(this.nodes.length);
    this.bootIncarnation(node, K.start);
    return this;
  }

  /** Names of the services (not the broker), in the order they were added. */
  get services(): string[] {
    return this.names.slice(1);
  }

  /** Enqueues the faults of a schedule at their times. */
  applySchedule(schedule: FaultSchedule): this {
    for (const f of schedule) {
      if (!(f.at >= 0)) throw new SimError('BadArgument', `fault at ${f.at}: time must be >= 0`);
      if (f.kind === 'crash-after') checkCrashPoint(f); // bad input fails here, not mid-run
      this.queue.push(f.at, OP_FAULT, f, null);
    }
    return this;
  }

  /** Runs until nothing is left to do, the event budget, or `maxTime`. */
  runUntilQuiescent(): Promise<RunResult> {
    return this.run(this.maxTime) as Promise<RunResult>;
  }

  /** Runs every event up to and including virtual time `t`; afterwards the clock reads `t` (quiet periods pass too). */
  async runUntil(t: number): Promise<RunResult> {
    const until = Math.min(t, this.maxTime);
    const r = (await this.run(until)) as RunResult;
    if (r.reason !== 'event-budget' && this.now < until && until !== Infinity) {
      this.now = until;
      return { ...r, now: until };
    }
    return r;
  }

  /** Processes one event; false when there is none left. */
  async step(): Promise<boolean> {
    if (this.queue.size === 0) await macrotask();
    if (this.queue.size === 0 || this.queue.peekTime() > this.maxTime) return false;
    this.processOne();
    if (this.resumed) await this.letContinuationsRun();
    return true;
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  isUp(service: string): boolean {
    return this.byName.get(service)?.up ?? false;
  }

  /** Committed rows of a service's table (shared, frozen: for checks and the UI). */
  rows(service: string, table: string): readonly Row[] {
    return this.nodeOf(service).store.rawRows(table);
  }

  tables(service: string): string[] {
    return this.nodeOf(service).store.tableNames();
  }

  /** Messages of a topic that a consumer group has not acknowledged yet. */
  unacked(topic: string, group: string): number {
    return this.broker.unacked(topic, group);
  }

  /** Topics the broker knows (published to or subscribed), in order of first use. */
  topics(): string[] {
    return this.broker.topicNames();
  }

  /** Consumer groups of a topic, in order of creation. */
  groups(topic: string): string[] {
    return this.broker.groupNames(topic);
  }

  /** Messages published to a topic so far. */
  published(topic: string): number {
    return this.broker.published(topic);
  }

  /** A consumer group's counters (undefined if the group does not exist). */
  groupStats(topic: string, group: string): GroupStats | undefined {
    return this.broker.groupStats(topic, group);
  }

  /** The full change log of a service's database, in commit order (frozen records, shared). */
  changes(service: string): readonly ChangeRecord[] {
    return this.nodeOf(service).store.changeLog();
  }

  /**
   * Fills a table of a service's database before its code sees it (a
   * scenario's initial state): creates the table (`spec`), inserts `rows`
   * (validated like inserts) as one commit with txId 0, traced as `tx-commit`
   * with `initial: true`. Call it after `addService` and before running.
   */
  preload(service: string, table: string, rows: readonly Row[], spec?: TableSpec): void {
    const store = this.nodeOf(service).store;
    if (!Array.isArray(rows)) throw new SimError('BadArgument', `preload ${service}.${table}: rows must be an array`);
    store.createTable(table, spec);
    const traceId = this.tracing ? this.trace.length : -1;
    const n = store.preload(table, rows, this.now, traceId);
    if (this.tracing && n > 0) this.trace.record(K['tx-commit'], this.now, this.nodeOf(service).idx, -1, -1, { db: service, rows: n, tables: [table], initial: true });
  }

  /** Applies a fault now (as if scheduled at the current time). */
  inject(fault: Fault): void {
    this.applyFault(fault);
  }

  /** Crash points armed by `crash-after` faults so far, with the time each fired (-1: never). */
  crashPoints(): Array<{ fault: CrashAfterFault; firedAt: number }> {
    return this.crashPointLog.map((p) => ({ fault: p.fault, firedAt: p.firedAt }));
  }

  crash(service: string): void {
    this.crashNode(this.nodeOf(service), undefined);
  }

  /**
   * Deploys new code for a service: the running incarnation (if any) crashes —
   * its in-flight work is abandoned, as in `crash` — and `start` runs at once as
   * the next incarnation, database intact. Traced as `crash` and `restart`, both
   * with `redeploy: label`.
   */
  redeploy(service: string, start: ServiceDefinition['start'], label: string): void {
    const node = this.nodeOf(service);
    if (typeof start !== 'function') throw new SimError('BadArgument', `redeploy ${service}: start must be a function`);
    this.cause = -1;
    this.crashNode(node, { redeploy: label });
    node.def = { name: node.name, start };
    this.bootIncarnation(node, K.restart, { redeploy: label });
  }

  /** `extra`: what else the crash event records (the crash point that fired, a redeploy). */
  private crashNode(node: SimNode, extra: Record<string, unknown> | undefined): void {
    const inc = node.inc;
    if (!node.up || !inc) return;
    inc.alive = false;
    node.up = false;
    node.inc = null;
    inc.timers.clear();
    if (this.tracing) this.trace.record(K.crash, this.now, node.idx, -1, this.cause, extra === undefined ? { incarnation: inc.n } : { incarnation: inc.n, ...extra });
  }

  restart(service: string): void {
    const node = this.nodeOf(service);
    if (node.up) return;
    this.bootIncarnation(node, K.restart);
  }

  partition(groups: string[][]): void {
    this.network.partition(groups, this.nodes.length);
    if (this.tracing) this.trace.record(K.partition, this.now, -1, -1, this.cause, { groups });
  }

  heal(): void {
    this.network.heal();
    if (this.tracing) this.trace.record(K.heal, this.now, -1, -1, this.cause);
  }

  // ---------------------------------------------------------------- the loop

  /**
   * Runs until `done()` holds (checked before the first event and after each
   * event with its continuations), nothing is left to do, the event budget,
   * or time `until`: e.g. "until this call's reply has arrived".
   */
  runUntilCondition(done: () => boolean, until = Infinity): Promise<ConditionResult> {
    return this.run(Math.min(until, this.maxTime), done);
  }

  private async run(until: number, done?: () => boolean): Promise<ConditionResult> {
    if (this.running) throw new SimError('BadArgument', 'the simulation is already running');
    this.running = true;
    try {
      for (;;) {
        if (done !== undefined && done()) return this.result('condition');
        if (this.queue.size === 0 || this.queue.peekTime() > until) {
          // Let every pending continuation run: it may schedule more events.
          await macrotask();
          if (done !== undefined && done()) return this.result('condition');
          if (this.queue.size === 0) return this.result('quiescent');
          if (this.queue.peekTime() > until) return this.result('time-limit');
          continue;
        }
        if (this.processed >= this.maxEvents) return this.result('event-budget');
        this.processOne();
        if (this.resumed) await this.letContinuationsRun();
      }
    } finally {
      this.running = false;
    }
  }

  private async letContinuationsRun(): Promise<void> {
    this.resumed = false;
    for (let i = 0; i < CONTINUATION_TURNS; i++) await undefined;
  }

  private result(reason: StopReason | 'condition'): ConditionResult {
    return { reason, now: this.now, events: this.processed };
  }

  private processOne(): void {
    const ev = this.queue.pop()!;
    this.now = ev.t;
    this.processed++;
    switch (ev.op) {
      case OP_DELIVER:
        this.deliver(ev.a as Envelope, ev.b as number);
        break;
      case OP_WAKE: {
        const w = ev.a as { inc: Incarnation; resolve: () => void };
        if (w.inc.alive) {
          this.resumed = true;
          w.resolve();
        }
        break;
      }
      case OP_TIMER:
        this.fireTimer(ev.a as TimerRecord);
        break;
      case OP_CALL_TIMEOUT:
        this.callTimeout(ev.a as number);
        break;
      case OP_COMMIT:
        this.commit(ev.a as CommitJob);
        break;
      case OP_START:
        this.start(ev.a as Incarnation, ev.b as number);
        break;
      case OP_FAULT:
        this.applyFault(ev.a as Fault);
        break;
      case OP_BROKER:
        this.cause = -1;
        this.broker.timeout(ev.a as BrokerTimeout);
        break;
    }
    this.queue.recycle(ev);
  }

  // ---------------------------------------------------------------- services

  private bootIncarnation(node: SimNode, kind: number, extra?: Record<string, unknown>): void {
    node.up = true;
    const n = ++node.incarnations;
    const inc: Incarnation = {
      node, n, alive: true,
      rpc: new Map(), msg: new Map(), subs: new Map(), timers: new Map(),
      rng: new Prng(this.seed, `service:${node.name}:${n}`),
      ctx: null,
    };
    node.inc = inc;
    const id = this.tracing ? this.trace.record(kind, this.now, node.idx, -1, this.cause, extra === undefined ? { incarnation: n } : { incarnation: n, ...extra }) : -1;
    this.queue.push(this.now, OP_START, inc, id);
  }

  private start(inc: Incarnation, cause: number): void {
    if (!inc.alive) return;
    this.cause = cause;
    inc.ctx = createContext(this, inc);
    const where = `${inc.node.name}.start()`;
    try {
      this.settle(inc, inc.node.def!.start(inc.ctx), where, K['start-error']);
    } catch (e) {
      this.serviceError(inc, e, where, K['start-error']);
    }
  }

  /** Watches a value returned by service code: a promise's failure is traced, never unhandled. */
  private settle(inc: Incarnation, r: unknown, where: string, kind: number): void {
    if (r !== null && (typeof r === 'object' || typeof r === 'function')) {
      this.resumed = true;
      watch(r, undefined, (e) => this.serviceError(inc, e, where, kind));
    }
  }

  /** @internal Records an error thrown by service code. */
  serviceError(inc: Incarnation, e: unknown, where: string, kind: number = K['handler-error']): void {
    if (!inc.alive && e instanceof SimError && e.code === 'StaleIncarnation') return; // already traced as stale-call
    const info = this.describeSafely(e);
    if (this.tracing) this.trace.record(kind, this.now, inc.node.idx, -1, this.cause, { where, error: info });
  }

  /** The describer's view of a thrown value as plain, bounded data (whatever the describer or the value does). */
  private describeSafely(e: unknown): ErrorInfo {
    let d: ErrorInfo;
    try {
      d = this.describe(e);
    } catch {
      d = describeThrown(e);
    }
    const info: ErrorInfo = { name: clipText(String(d.name), 100), message: clipText(String(d.message)) };
    if (typeof d.stack === 'string') info.stack = clipText(d.stack, 4000);
    if (typeof d.line === 'number') info.line = d.line;
    if (typeof d.column === 'number') info.column = d.column;
    return info;
  }

  /** @internal */
  isNodeUp(idx: number): boolean {
    return this.nodes[idx]!.up;
  }

  /** @internal */
  nodeOf(name: string): SimNode {
    const n = this.byName.get(name);
    if (!n) throw new SimError('BadArgument', `unknown service "${name}" (services: ${this.services.join(', ') || 'none'})`);
    return n;
  }

  /** @internal Throws (and traces) when a crashed incarnation's code calls the simulator. */
  staleCall(inc: Incarnation, what: string): never {
    if (this.tracing) this.trace.record(K['stale-call'], this.now, inc.node.idx, -1, this.cause, { incarnation: inc.n, call: what });
    throw new SimError('StaleIncarnation', `${inc.node.name} (incarnation ${inc.n}) crashed; its late call ${what} was refused`);
  }

  /** @internal */
  ownershipViolation(inc: Incarnation, owner: string, op: string): void {
    if (this.tracing) this.trace.record(K['ownership-violation'], this.now, inc.node.idx, this.byName.get(owner)?.idx ?? -1, this.cause, { owner, op });
  }

  /** @internal */
  log(inc: Incarnation, level: 'info' | 'warn' | 'error', message: string): void {
    if (this.tracing) this.trace.record(K.log, this.now, inc.node.idx, -1, this.cause, { level, message });
  }

  // ---------------------------------------------------------------- network

  /** @internal */
  nextMessageId(): number {
    return ++this.msgSeq;
  }

  /** @internal Puts an envelope on the wire: partition, loss, latency, duplication. */
  sendEnvelope(env: Envelope): void {
    const now = this.now;
    const tracing = this.tracing;
    const sendId = tracing ? this.trace.recordMessage(K.send, now, env.from, env.to, this.cause, env.id, env.kind, env.corr, env.type, env.payload) : -1;
    const net = this.network;
    if (net.cut(env.from, env.to)) {
      if (tracing) this.trace.record(K.drop, now, env.from, env.to, sendId, { id: env.id, reason: 'partition' });
      return;
    }
    const latency = net.route(env.from, env.to, now, this.names);
    if (latency < 0) {
      if (tracing) this.trace.record(K.drop, now, env.from, env.to, sendId, { id: env.id, reason: 'loss' });
      return;
    }
    this.queue.push(later(now, latency), OP_DELIVER, env, sendId);
    const dup = net.dupLatency;
    if (dup >= 0) {
      if (tracing) this.trace.record(K.duplicate, now, env.from, env.to, sendId, { id: env.id });
      this.queue.push(later(now, dup), OP_DELIVER, env, sendId);
    }
  }

  /** @internal */
  sendMessage(inc: Incarnation, to: string, type: string, payload: unknown): void {
    const dest = this.nodeOf(to);
    const p = isolate(payload, `send(${to}, ${type})`);
    this.sendEnvelope(new Envelope(++this.msgSeq, MSG, inc.node.idx, dest.idx, type, p, -1, this.now));
    if (this.armed !== null) this.crashPointHit(inc.node, 'send', type, undefined, to, undefined);
  }

  /** @internal RPC and publish share the pending-call machinery. */
  call(inc: Incarnation, to: string, method: string, payload: unknown, timeoutMs: number, publish: boolean): Promise<any> {
    const dest = publish ? this.nodes[0]! : this.nodeOf(to);
    const what = publish ? `publish(${method})` : `call(${to}, ${method})`;
    const p = isolate(payload, what);
    if (!(timeoutMs > 0)) throw new SimError('BadArgument', `${what}: timeoutMs must be > 0`);
    const id = ++this.msgSeq;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { inc, resolve, reject, to: dest.name, what, publish });
      this.sendEnvelope(new Envelope(id, publish ? PUB : REQ, inc.node.idx, dest.idx, method, p, -1, this.now));
      this.queue.push(later(this.now, timeoutMs), OP_CALL_TIMEOUT, id, null);
      if (this.armed !== null && !publish) this.crashPointHit(inc.node, 'send', method, undefined, to, undefined);
    });
  }

  private callTimeout(id: number): void {
    const pc = this.calls.get(id);
    if (!pc) return;
    this.calls.delete(id);
    if (!pc.inc.alive) return; // abandoned with its incarnation
    if (this.tracing) this.trace.record(K.timeout, this.now, pc.inc.node.idx, this.byName.get(pc.to)?.idx ?? 0, -1, { id, call: pc.what });
    this.resumed = true;
    pc.reject(new SimError(pc.publish ? 'PublishTimeout' : 'RpcTimeout', `${pc.what} timed out (no answer from ${pc.to})`));
  }

  private deliver(env: Envelope, sendId: number): void {
    const now = this.now;
    const tracing = this.tracing;
    if (this.network.cut(env.from, env.to)) {
      if (tracing) this.trace.record(K.drop, now, env.from, env.to, sendId, { id: env.id, reason: 'partition' });
      return;
    }
    const node = this.nodes[env.to]!;
    if (env.to === this.brokerIdx) {
      this.cause = tracing ? this.trace.recordMessage(K.deliver, now, env.to, env.from, sendId, env.id, 0, -1, undefined, undefined) : -1;
      this.broker.receive(env);
      return;
    }
    const inc = node.inc;
    if (inc === null) {
      if (tracing) this.trace.record(K.drop, now, env.from, env.to, sendId, { id: env.id, reason: 'down' });
      return;
    }
    const deliverId = tracing ? this.trace.recordMessage(K.deliver, now, env.to, env.from, sendId, env.id, 0, -1, undefined, undefined) : -1;
    this.cause = deliverId;
    if (this.armed !== null && env.kind !== PUBACK) {
      const topic = env.kind === BDELIVER ? (env.payload as { topic: string }).topic : undefined;
      if (this.crashPointHit(node, 'deliver', topic === undefined ? env.type : undefined, topic, this.names[env.from], undefined)) return; // crashed on receipt
    }
    switch (env.kind) {
      case MSG:
        return this.onMessage(inc, env);
      case REQ:
        return this.onRequest(inc, env, deliverId);
      case RES:
      case PUBACK:
        return this.onResponse(env);
      case BDELIVER:
        return this.onBrokerDelivery(inc, env, deliverId);
    }
  }

  private meta(env: Envelope): MessageMeta {
    return { from: this.names[env.from]!, messageId: `m${env.id}`, sentAt: env.sentAt };
  }

  private onMessage(inc: Incarnation, env: Envelope): void {
    const h = inc.msg.get(env.type);
    if (h === undefined) {
      if (this.tracing) this.trace.record(K.drop, this.now, env.from, env.to, this.cause, { id: env.id, reason: 'no-handler' });
      return;
    }
    const where = `${inc.node.name}: message "${env.type}"`;
    try {
      // Each delivery gets its own copy of the payload. Building the meta object is skipped for handlers that do not take it.
      const r = h.length < 2 ? callLearner(h, cloneJson(env.payload, true)) : callLearner(h, cloneJson(env.payload, true), this.meta(env));
      if (r !== undefined) this.settle(inc, r, where, K['handler-error']);
    } catch (e) {
      this.serviceError(inc, e, where);
    }
  }

  private onRequest(inc: Incarnation, env: Envelope, deliverId: number): void {
    const h = inc.rpc.get(env.type);
    if (h === undefined) {
      this.reply(inc, env, { ok: false, error: { name: 'Unavailable', message: `${inc.node.name} has no handler for "${env.type}"` } }, deliverId);
      return;
    }
    let r: unknown;
    try {
      r = callLearner(h, cloneJson(env.payload, true), this.meta(env));
    } catch (e) {
      this.replyError(inc, env, e, deliverId);
      return;
    }
    if (isThenable(r)) {
      this.resumed = true;
      watch(
        r,
        (v) => this.replyValue(inc, env, v, deliverId),
        (e) => this.replyError(inc, env, e, deliverId),
      );
    } else this.replyValue(inc, env, r, deliverId);
  }

  private replyValue(inc: Incarnation, env: Envelope, v: unknown, cause: number): void {
    if (!inc.alive) return;
    if (this.armed !== null) {
      this.cause = cause;
      if (this.crashPointHit(inc.node, 'handler-return', env.type, undefined, undefined, undefined)) return;
    }
    let value: unknown;
    try {
      value = isolate(v === undefined ? null : v, `response of ${env.type}`);
    } catch (e) {
      this.replyError(inc, env, e, cause);
      return;
    }
    this.reply(inc, env, { ok: true, value }, cause);
  }

  private replyError(inc: Incarnation, env: Envelope, e: unknown, cause: number): void {
    if (!inc.alive) return;
    const info = this.describeSafely(e);
    // Read once, as data: what goes into the reply (and the trace) is a plain bounded string.
    const c = e !== null && typeof e === 'object' ? errorField(e, 'code') : undefined;
    const code = typeof c === 'string' ? clipText(c, 100) : undefined;
    this.reply(inc, env, { ok: false, error: code === undefined ? { name: info.name, message: info.message } : { name: info.name, message: info.message, code } }, cause);
  }

  private reply(inc: Incarnation, env: Envelope, body: { ok: boolean; value?: unknown; error?: object }, cause: number): void {
    this.cause = cause;
    if (body.error) Object.freeze(body.error);
    this.sendEnvelope(new Envelope(++this.msgSeq, RES, inc.node.idx, env.from, env.type, Object.freeze(body), env.id, this.now));
  }

  private onResponse(env: Envelope): void {
    const pc = this.calls.get(env.corr);
    if (pc === undefined) {
      if (this.tracing) this.trace.record(K['reply-late'], this.now, env.to, env.from, this.cause, { id: env.id, corr: env.corr });
      return;
    }
    this.calls.delete(env.corr);
    if (!pc.inc.alive) return;
    this.resumed = true;
    if (env.kind === PUBACK) return pc.resolve(undefined);
    const body = env.payload as { ok: boolean; value?: unknown; error?: { name: string; message: string; code?: string } };
    // The trace keeps the reply: the caller gets its own copy.
    if (body.ok) pc.resolve(cloneJson(body.value, true));
    else pc.reject(remoteError(pc.what, body.error!));
  }

  /** @internal */
  subscribe(inc: Incarnation, topic: string, group: string, handler: BrokerHandler, from: SubscribeOptions['from']): void {
    inc.subs.set(topic + '\u0000' + group, handler);
    this.broker.join(topic, group, inc.node.idx, from);
  }

  private onBrokerDelivery(inc: Incarnation, env: Envelope, deliverId: number): void {
    const b = env.payload as { topic: string; group: string; id: string; key: string | null; payload: unknown; deliveryCount: number; publishedBy: string; offset: number };
    const h = inc.subs.get(b.topic + '\u0000' + b.group);
    if (h === undefined) {
      if (this.tracing) this.trace.record(K.drop, this.now, env.from, env.to, deliverId, { id: env.id, reason: 'no-handler' });
      return;
    }
    const meta: BrokerMessageMeta = { topic: b.topic, messageId: b.id, key: b.key, deliveryCount: b.deliveryCount, publishedBy: b.publishedBy, offset: b.offset };
    const where = `${inc.node.name}: topic "${b.topic}"`;
    const answer = (kind: number) => {
      if (!inc.alive) return;
      this.cause = deliverId;
      if (kind === BACK && this.armed !== null && this.crashPointHit(inc.node, 'handler-return', undefined, b.topic, undefined, undefined)) return;
      this.sendEnvelope(new Envelope(++this.msgSeq, kind, inc.node.idx, this.brokerIdx, b.topic, { topic: b.topic, group: b.group, id: b.id }, env.id, this.now));
    };
    let r: unknown;
    try {
      r = callLearner(h, cloneJson(b.payload, true), meta);
    } catch (e) {
      this.serviceError(inc, e, where);
      return answer(BNACK);
    }
    if (isThenable(r)) {
      this.resumed = true;
      watch(
        r,
        () => answer(BACK),
        (e) => {
          this.serviceError(inc, e, where);
          answer(BNACK);
        },
      );
    } else answer(BACK);
  }

  /** @internal */
  scheduleBroker(delay: number, t: BrokerTimeout): void {
    this.queue.push(later(this.now, delay), OP_BROKER, t, null);
  }

  // ---------------------------------------------------------------- time

  /** @internal */
  sleep(inc: Incarnation, ms: number): Promise<void> {
    const delay = checkDelay(ms, 'sleep');
    return new Promise((resolve) => this.queue.push(later(this.now, delay), OP_WAKE, { inc, resolve }, null));
  }

  /** @internal */
  setTimer(inc: Incarnation, fn: () => unknown, ms: number): number {
    if (typeof fn !== 'function') throw new SimError('BadArgument', 'setTimer: the first argument must be a function');
    const delay = checkDelay(ms, 'setTimer');
    const rec: TimerRecord = { inc, id: ++this.timerSeq, fn };
    inc.timers.set(rec.id, rec);
    this.queue.push(later(this.now, delay), OP_TIMER, rec, null);
    return rec.id;
  }

  private fireTimer(rec: TimerRecord): void {
    const inc = rec.inc;
    if (!inc.alive || inc.timers.get(rec.id) !== rec) return; // cleared, or its incarnation crashed
    inc.timers.delete(rec.id);
    this.resumed = true;
    const where = `${inc.node.name}: timer`;
    try {
      this.settle(inc, callLearner(rec.fn), where, K['handler-error']);
    } catch (e) {
      this.serviceError(inc, e, where);
    }
  }

  // ---------------------------------------------------------------- storage

  /** @internal Commits a transaction's buffered writes after the commit latency. */
  commitLater(inc: Incarnation, store: DatabaseStore, buf: TxBuffer): Promise<void> {
    if (buf.size === 0) return Promise.resolve(); // read-only: nothing to make durable
    return new Promise((resolve, reject) => this.queue.push(later(this.now, this.commitLatency), OP_COMMIT, { inc, store, buf, resolve, reject }, null));
  }

  private commit(job: CommitJob): void {
    const { inc, store, buf } = job;
    const node = inc.node;
    if (!inc.alive) {
      if (this.tracing) this.trace.record(K['tx-abort'], this.now, node.idx, -1, -1, { db: store.owner, reason: 'crash' });
      return; // never resolves: the incarnation that waited for it is gone
    }
    this.resumed = true;
    const owner = this.byName.get(store.owner) ?? node;
    if (owner.writeFailUntil > this.now) {
      if (this.tracing) this.trace.record(K['tx-abort'], this.now, node.idx, -1, -1, { db: store.owner, reason: 'write-failure' });
      return job.reject(new SimError('DatabaseWriteError', `the database of ${store.owner} failed to write (injected fault); nothing was committed`));
    }
    let commitId = -1;
    try {
      const lsn = store.lastLsn;
      // The change log is stamped with the id the tx-commit event is about to get.
      const rows = store.commit(buf, this.now, this.tracing ? this.trace.length : -1);
      if (this.tracing) {
        const data = this.traceChanges
          ? { db: store.owner, rows, tables: [...buf.writes.keys()], changes: changeCounts(store.changeLog(), lsn) }
          : { db: store.owner, rows, tables: [...buf.writes.keys()] };
        commitId = this.trace.record(K['tx-commit'], this.now, node.idx, -1, -1, data);
      }
    } catch (e) {
      if (this.tracing) this.trace.record(K['tx-abort'], this.now, node.idx, -1, -1, { db: store.owner, reason: e instanceof Error ? e.message : String(e) });
      return job.reject(e);
    }
    if (this.armed !== null) {
      const cause = this.cause;
      this.cause = commitId;
      if (this.crashPointHit(node, 'tx-commit', undefined, undefined, undefined, buf.writes)) return; // durable, but the code never learns it
      this.cause = cause;
    }
    job.resolve();
  }

  /** @internal */
  txAborted(inc: Incarnation, store: DatabaseStore, reason: string): void {
    if (this.tracing) this.trace.record(K['tx-abort'], this.now, inc.node.idx, -1, this.cause, { db: store.owner, reason });
  }

  // ---------------------------------------------------------------- crash points

  /**
   * @internal Called at each crash-point instant of `node`'s live code: counts
   * matching armed points and crashes the service when one reaches its `nth`
   * occurrence (restart after `restartAfterMs`). A filter a point sets must
   * equal the corresponding argument (`tables`: the transaction wrote it;
   * `peer`: the receiver of a send, the sender of a delivery).
   */
  crashPointHit(node: SimNode, on: CrashPointKind, method: string | undefined, topic: string | undefined, peer: string | undefined, tables: ReadonlyMap<string, unknown> | undefined): boolean {
    const armed = this.armed!;
    if (!node.up) return false;
    for (let i = 0; i < armed.length; i++) {
      const p = armed[i]!;
      const f = p.fault;
      if (f.service !== node.name || f.on !== on) continue;
      if ((f.method !== undefined && f.method !== method) || (f.topic !== undefined && f.topic !== topic)) continue;
      if ((f.to !== undefined && f.to !== peer) || (f.from !== undefined && f.from !== peer)) continue; // checkCrashPoint: `to` only on send, `from` only on deliver
      if (f.table !== undefined && (tables === undefined || !tables.has(f.table))) continue;
      if (++p.seen < (f.nth ?? 1)) continue;
      armed.splice(i, 1);
      if (armed.length === 0) this.armed = null;
      p.firedAt = this.now;
      const point: Record<string, unknown> = { on };
      for (const k of ['table', 'method', 'topic', 'to', 'from'] as const) if (f[k] !== undefined) point[k] = f[k];
      point.nth = f.nth ?? 1;
      this.crashNode(node, { point });
      this.queue.push(later(this.now, f.restartAfterMs), OP_FAULT, { at: later(this.now, f.restartAfterMs), kind: 'restart', service: f.service }, null);
      return true;
    }
    return false;
  }

  /** @internal The broker stored a publish: the `publish-ack` crash point of the publishing incarnation (if still waiting). */
  stored(env: Envelope, topic: string, publishId: number): void {
    if (this.armed === null) return;
    const pc = this.calls.get(env.id);
    if (pc === undefined || !pc.inc.alive) return;
    const cause = this.cause;
    this.cause = publishId;
    this.crashPointHit(pc.inc.node, 'publish-ack', undefined, topic, undefined, undefined);
    this.cause = cause;
  }

  private armCrashPoint(f: CrashAfterFault): void {
    checkCrashPoint(f);
    this.nodeOf(f.service);
    const p: ArmedCrashPoint = { fault: f, seen: 0, firedAt: -1 };
    this.crashPointLog.push(p);
    (this.armed ??= []).push(p);
  }

  // ---------------------------------------------------------------- faults

  private applyFault(f: Fault): void {
    this.cause = -1;
    this.network.expireWindows(this.now);
    switch (f.kind) {
      case 'crash':
        return this.crash(f.service);
      case 'restart':
        return this.restart(f.service);
      case 'partition':
        return this.partition(f.groups);
      case 'heal':
        return this.heal();
      case 'latency':
        this.network.addWindow(f.from, f.to, this.now + f.durationMs, f.extraMs, 0);
        break;
      case 'loss':
        this.network.addWindow(f.from, f.to, this.now + f.durationMs, 0, f.rate);
        break;
      case 'db-write-failure': {
        const node = this.nodeOf(f.service);
        node.writeFailUntil = Math.max(node.writeFailUntil, this.now + f.durationMs);
        break;
      }
      case 'crash-after':
        this.armCrashPoint(f);
        break;
      default:
        throw new SimError('BadArgument', `unknown fault kind ${JSON.stringify((f as { kind: unknown }).kind)}`);
    }
    if (this.tracing) this.trace.record(K.fault, this.now, -1, -1, -1, f);
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Simulation);
Object.freeze(Simulation.prototype);

/** Row counts by table and operation of the changes after `lsn` (for `traceChanges`). */
function changeCounts(log: readonly ChangeRecord[], lsn: number): Record<string, { insert: number; update: number; delete: number }> {
  const out: Record<string, { insert: number; update: number; delete: number }> = {};
  for (let i = lsn; i < log.length; i++) {
    const c = log[i]!;
    (out[c.table] ??= { insert: 0, update: 0, delete: 0 })[c.op]++;
  }
  return out;
}

/** The kernel surface that the broker and contexts use. */
export type Kernel = Simulation;

/** now + delay on a microsecond grid: virtual times stay short decimals in traces. */
function later(now: number, delay: number): number {
  return Math.round((now + delay) * 1000) / 1000;
}

function checkDelay(ms: number, what: string): number {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) throw new SimError('BadArgument', `${what}: delay must be a finite number >= 0, got ${String(ms)}`);
  return ms;
}

/** A fresh error for the caller; `remote` is its own frozen copy of what the trace keeps. */
function remoteError(what: string, e: { name: string; message: string; code?: string }): SimError {
  const err = new SimError('RemoteError', `${what} failed: ${e.message}`);
  setErrorField(err, 'remote', Object.freeze(e.code === undefined ? { name: e.name, message: e.message } : { name: e.name, message: e.message, code: e.code }));
  if (e.name === 'Unavailable') setErrorField(err, 'code', 'Unavailable');
  return err;
}

/**
 * Describes anything that was thrown, including non-Errors (`throw 42`, `throw {}`),
 * without running its getters. Name and message only: a raw stack holds host
 * frames — file paths of this checkout, and frames V8 renders differently from
 * one execution to the next — so tracing it would make the same run trace
 * differently on another machine or on a second grade. Learner lines come from
 * the sandbox's own describer (`SimulationOptions.describeError`), which keeps
 * learner frames only.
 */
export function describeThrown(e: unknown): ErrorInfo {
  if (isError(e)) {
    const name = errorField(e, 'name');
    const message = errorField(e, 'message');
    return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : '' };
  }
  return { name: 'NonErrorThrown', message: `a non-Error value was thrown: ${showValue(e)}` };
}

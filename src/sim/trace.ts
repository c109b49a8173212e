import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { FastHash } from './fast-hash.ts';
import { canonicalJson } from './json.ts';

/**
 * The trace: every observable thing the simulator does, in order.
 *
 * Stored column-wise (typed arrays + one array of payload references) so that
 * recording an event on the hot path is a handful of stores and no allocation;
 * `events()` materialises plain JSON objects on demand.
 */
export const TRACE_KINDS = [
  'start', 'send', 'deliver', 'drop', 'duplicate', 'timeout', 'reply-late',
  'crash', 'restart', 'stale-call', 'partition', 'heal', 'fault',
  'tx-commit', 'tx-abort', 'publish', 'broker-deliver', 'ack', 'nack', 'redeliver',
  'ownership-violation', 'log', 'handler-error', 'start-error', 'subscribe',
] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

const KIND_CODE: Record<string, number> = Object.fromEntries(TRACE_KINDS.map((k, i) => [k, i]));
export const K = KIND_CODE as Record<TraceKind, number>;

export interface TraceEvent {
  /** Position in the trace; causal links refer to it. */
  id: number;
  /** Virtual time, ms. */
  t: number;
  kind: TraceKind;
  /** The service (or `broker`) where it happened. */
  service?: string;
  /** The other end: receiver of a send, sender of a delivery, … */
  peer?: string;
  /** Id of the event that caused this one. */
  cause?: number;
  data?: unknown;
}

/** Data of message events: a send carries the whole message, a delivery or drop its id. */
export interface MessageData {
  id: number;
  kind?: string;
  type?: string;
  payload?: unknown;
  corr?: number;
}

/** Names of envelope kinds, indexed by the codes in envelope.ts. */
export const MESSAGE_KINDS = ['message', 'request', 'response', 'publish', 'publish-ack', 'broker-delivery', 'ack', 'nack'];

export class Trace {
  readonly enabled: boolean;
  private n = 0;
  private cap = 0;
  private kinds = new Uint8Array(0);
  private times = new Float64Array(0);
  private nodes = new Int16Array(0);
  private peers = new Int16Array(0);
  private causes = new Int32Array(0);
  /** Message columns (send/deliver/drop): id, envelope kind, correlation id; -1 when unused. */
  private msgIds = new Int32Array(0);
  private msgKinds = new Int8Array(0);
  private corrs = new Int32Array(0);
  private labels: (string | undefined)[] = [];
  private data: unknown[] = [];

  /** `nodeNames[i]` names node index i (shared with the simulation, grows with it). */
  constructor(private readonly nodeNames: readonly string[], enabled = true) {
    this.enabled = enabled;
    if (enabled) this.grow(1024);
  }

  get length(): number {
    return this.n;
  }

  private grow(cap: number): void {
    const k = new Uint8Array(cap); k.set(this.kinds); this.kinds = k;
    const t = new Float64Array(cap); t.set(this.times); this.times = t;
    const s = new Int16Array(cap); s.set(this.nodes); this.nodes = s;
    const p = new Int16Array(cap); p.set(this.peers); this.peers = p;
    const c = new Int32Array(cap); c.set(this.causes); this.causes = c;
    const m = new Int32Array(cap); m.set(this.msgIds); this.msgIds = m;
    const mk = new Int8Array(cap); mk.set(this.msgKinds); this.msgKinds = mk;
    const co = new Int32Array(cap); co.set(this.corrs); this.corrs = co;
    this.labels.length = cap;
    this.data.length = cap;
    this.cap = cap;
  }

  /** Appends an event and returns its id (-1 when tracing is off). Node/peer/cause: -1 for none. */
  record(kind: number, t: number, node: number, peer: number, cause: number, data?: unknown): number {
    return this.recordMessage(kind, t, node, peer, cause, -1, 0, -1, undefined, data);
  }

  /**
   * Appends a message event without retaining the envelope: its fields go into
   * columns, the (frozen, shared) payload by reference.
   */
  recordMessage(kind: number, t: number, node: number, peer: number, cause: number, msgId: number, msgKind: number, corr: number, type: string | undefined, payload: unknown): number {
    if (!this.enabled) return -1;
    const i = this.n;
    if (i === this.cap) this.grow(this.cap * 2);
    this.kinds[i] = kind;
    this.times[i] = t;
    this.nodes[i] = node;
    this.peers[i] = peer;
    this.causes[i] = cause;
    this.msgIds[i] = msgId;
    this.msgKinds[i] = msgKind;
    this.corrs[i] = corr;
    this.labels[i] = type;
    this.data[i] = payload;
    this.n = i + 1;
    return i;
  }

  get(i: number): TraceEvent {
    const e: TraceEvent = { id: i, t: this.times[i]!, kind: TRACE_KINDS[this.kinds[i]!]! };
    const node = this.nodes[i]!;
    if (node >= 0) e.service = this.nodeNames[node];
    const peer = this.peers[i]!;
    if (peer >= 0) e.peer = this.nodeNames[peer];
    const cause = this.causes[i]!;
    if (cause >= 0) e.cause = cause;
    const d = this.data[i];
    const msgId = this.msgIds[i]!;
    if (msgId >= 0) {
      const m: MessageData = { id: msgId };
      const type = this.labels[i];
      if (type !== undefined) {
        m.kind = MESSAGE_KINDS[this.msgKinds[i]!];
        m.type = type;
        if (d !== undefined) m.payload = d;
        if (this.corrs[i]! >= 0) m.corr = this.corrs[i];
      }
      e.data = m;
    } else if (d !== undefined) e.data = d;
    return e;
  }

  /** Events [from, to) as plain objects. */
  events(from = 0, to = this.n): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.n); i++) out.push(this.get(i));
    return out;
  }

  /** Kind of event i, without materialising it. */
  kindOf(i: number): TraceKind {
    return TRACE_KINDS[this.kinds[i]!]!;
  }

  toJSON(): TraceEvent[] {
    return this.events();
  }

  /**
   * SHA-256 (hex) of the canonical JSON of all events, one per line: identifies a
   * run. Lines are built in key order directly (the event shape is known) and
   * hashed in large batches: per-event hashing calls dominated the cost.
   */
  digest(): string {
    const h = sha256.create();
    const enc = new TextEncoder();
    let batch = '';
    for (let i = 0; i < this.n; i++) {
      batch += this.canonicalLine(i);
      if (batch.length > 1 << 16) {
        h.update(enc.encode(batch));
        batch = '';
      }
    }
    if (batch) h.update(enc.encode(batch));
    return bytesToHex(h.digest());
  }

  /**
   * Fast 64-bit fingerprint (16 hex digits) of everything `digest()` covers,
   * read straight from the columns: for comparing many runs cheaply (the grader
   * fingerprints every run). Payloads are hashed as JSON in their key order,
   * which the same code and seed always reproduce.
   */
  fingerprint(): string {
    const h = new FastHash();
    const f64 = new Float64Array(1);
    const u32 = new Uint32Array(f64.buffer);
    for (let i = 0; i < this.n; i++) {
      f64[0] = this.times[i]!;
      h.int(this.kinds[i]!).int(u32[0]!).int(u32[1]!).int(this.nodes[i]!).int(this.peers[i]!).int(this.causes[i]!).int(this.msgIds[i]!);
      if (this.msgIds[i]! >= 0) {
        h.int(this.msgKinds[i]!).int(this.corrs[i]!);
        const label = this.labels[i];
        if (label !== undefined) h.update(label);
      }
      const d = this.data[i];
      if (d !== undefined) h.update(typeof d === 'string' ? JSON.stringify(d) : (JSON.stringify(d) ?? 'null'));
    }
    for (const name of this.nodeNames) h.update(name);
    return h.hex();
  }

  /** canonicalJson(get(i)) + newline, without materialising the event (keys in sorted order). */
  private canonicalLine(i: number): string {
    let line = '{';
    const cause = this.causes[i]!;
    if (cause >= 0) line += '"cause":' + cause + ',';
    const msgId = this.msgIds[i]!;
    if (msgId >= 0) {
      const type = this.labels[i];
      if (type === undefined) line += '"data":{"id":' + msgId + '},';
      else {
        const corr = this.corrs[i]!;
        const d = this.data[i];
        line += '"data":{' + (corr >= 0 ? '"corr":' + corr + ',' : '') + '"id":' + msgId + ',"kind":"' + MESSAGE_KINDS[this.msgKinds[i]!] + '"' + (d !== undefined ? ',"payload":' + canonicalJson(d) : '') + ',"type":' + JSON.stringify(type) + '},';
      }
    } else {
      const d = this.data[i];
      if (d !== undefined) line += '"data":' + canonicalJson(d) + ',';
    }
    line += '"id":' + i + ',"kind":"' + TRACE_KINDS[this.kinds[i]!] + '"';
    const peer = this.peers[i]!;
    if (peer >= 0) line += ',"peer":' + JSON.stringify(this.nodeNames[peer]);
    const node = this.nodes[i]!;
    if (node >= 0) line += ',"service":' + JSON.stringify(this.nodeNames[node]);
    return line + ',"t":' + this.times[i] + '}\n';
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Trace);
Object.freeze(Trace.prototype);

/** Digest of any JSON value (canonical form), e.g. over the digests of many runs. */
export function digestJson(value: unknown): string {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(value))));
}

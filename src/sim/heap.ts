/**
 * The simulator's event queue: a binary min-heap ordered by (time, seq).
 * `seq` increases with every schedule() call, so events at the same virtual time
 * run in the order they were scheduled — a stable, platform-independent tie-break.
 *
 * Entries have one fixed shape (op code + two operands) so the hot loop stays
 * monomorphic; the simulator dispatches on `op`.
 */
export interface QueuedEvent {
  t: number;
  seq: number;
  op: number;
  a: any;
  b: any;
}

export class EventQueue {
  private items: QueuedEvent[] = [];
  private nextSeq = 0;
  /** Popped entries, recycled by push() so the hot loop allocates nothing. */
  private spare: QueuedEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(t: number, op: number, a: unknown, b: unknown): void {
    let e = this.spare.pop();
    if (e === undefined) e = { t, seq: this.nextSeq++, op, a, b };
    else {
      e.t = t;
      e.seq = this.nextSeq++;
      e.op = op;
      e.a = a;
      e.b = b;
    }
    const items = this.items;
    let i = items.length;
    items.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (parent.t < t || (parent.t === t && parent.seq < e.seq)) break;
      items[i] = parent;
      i = p;
    }
    items[i] = e;
  }

  /** Returns a popped entry for reuse; the caller must not touch it afterwards. */
  recycle(e: QueuedEvent): void {
    e.a = undefined;
    e.b = undefined;
    this.spare.push(e);
  }

  peekTime(): number {
    return this.items.length ? this.items[0]!.t : Infinity;
  }

  pop(): QueuedEvent | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (n > 1) {
      const size = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        let ci = items[l]!;
        if (r < size) {
          const ri = items[r]!;
          if (ri.t < ci.t || (ri.t === ci.t && ri.seq < ci.seq)) {
            c = r;
            ci = ri;
          }
        }
        if (last.t < ci.t || (last.t === ci.t && last.seq < ci.seq)) break;
        items[i] = ci;
        i = c;
      }
      items[i] = last;
    }
    return top;
  }
}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(EventQueue);
Object.freeze(EventQueue.prototype);

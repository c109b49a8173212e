import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, generateSchedule, type ServiceContext, type TopicConfig } from '../../src/sim/index.ts';

const KEYS = ['A', 'B', 'C'];

/**
 * A producer publishes keyed messages; group `g1` has two consumers (c1, c2),
 * group `g2` one (c3) that joins late. Handlers are sometimes slow (ack
 * timeouts) and sometimes throw (nacks); the network loses, duplicates and
 * reorders; consumers crash.
 */
function brokerWorkload(seed: number, topic: TopicConfig): Simulation {
  const s = new Simulation({ seed, network: { latency: { kind: 'uniform', min: 0.5, max: 6 }, loss: 0.05, duplicate: 0.1, reorder: 0.2 }, brokerTopics: { t: topic }, maxEvents: 300_000 });
  const consumer = (name: string, group: string, joinAt: number) => ({
    name,
    async start(ctx: ServiceContext) {
      if (joinAt > 0 && ctx.incarnation === 1) await ctx.sleep(joinAt);
      ctx.subscribe('t', async () => {
        const r = ctx.random();
        if (r < 0.15) throw new Error('try again');
        if (r < 0.3) await ctx.sleep(ctx.random() * 40);
      }, { group });
    },
  });
  s.addService(consumer('c1', 'g1', 0));
  s.addService(consumer('c2', 'g1', 0));
  s.addService(consumer('c3', 'g2', 25));
  s.addService({
    name: 'producer',
    async start(ctx) {
      for (let i = 0; i < 18; i++) {
        const key = KEYS[Math.floor(ctx.random() * KEYS.length)]!;
        await ctx.publish('t', { i, key }, { key, timeoutMs: 30 }).catch(() => undefined);
        await ctx.sleep(ctx.random() * 3);
      }
    },
  });
  s.applySchedule(generateSchedule(seed, { services: ['c1', 'c2', 'c3'], horizonMs: 60, episodes: 3, kinds: ['crash'], maxDowntimeMs: 30 }));
  return s;
}

interface Delivery {
  id: number;
  offset: number;
  key: string;
}

/** Per group, in trace order: first deliveries of each message (with offset and key) and acks by message id. */
function firstDeliveriesAndAcks(s: Simulation, group: string): { first: Delivery[]; ackedAt: Map<string, number>; keyOf: Map<string, string>; offsetOf: Map<string, number> } {
  const keyOf = new Map<string, string>();
  const offsetOf = new Map<string, number>();
  const first: Delivery[] = [];
  const ackedAt = new Map<string, number>();
  const delivered = new Set<string>();
  for (const e of s.trace.events()) {
    const d = e.data as { topic?: string; group?: string; id?: string; key?: string } | undefined;
    if (e.kind === 'publish') {
      keyOf.set(d!.id!, d!.key!);
      offsetOf.set(d!.id!, offsetOf.size);
    }
    if (e.kind === 'broker-deliver' && d!.group === group && !delivered.has(d!.id!)) {
      delivered.add(d!.id!);
      first.push({ id: e.id, offset: offsetOf.get(d!.id!)!, key: keyOf.get(d!.id!)! });
    }
    if (e.kind === 'ack' && d!.group === group && !ackedAt.has(d!.id!)) ackedAt.set(d!.id!, e.id);
  }
  return { first, ackedAt, keyOf, offsetOf };
}

/** Violations of per-key order: a first delivery that came before an earlier message of its key was acked. */
function orderViolations(s: Simulation, group: string): string[] {
  const { first, ackedAt, keyOf, offsetOf } = firstDeliveriesAndAcks(s, group);
  const out: string[] = [];
  for (const d of first) {
    for (const [id, key] of keyOf) {
      if (key !== d.key || offsetOf.get(id)! >= d.offset) continue;
      const acked = ackedAt.get(id);
      if (acked === undefined || acked > d.id) out.push(`${group}: offset ${d.offset} (key ${d.key}) delivered at event ${d.id} before offset ${offsetOf.get(id)} was acked`);
    }
  }
  return out;
}

describe('broker properties', () => {
  it('orderedByKey keeps per-key order under duplication, redelivery, nacks and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 0.5, noNaN: true }), async (seed, duplicate) => {
        const s = brokerWorkload(seed, { orderedByKey: true, ackTimeoutMs: 25, duplicate });
        await s.runUntilQuiescent();
        expect([...orderViolations(s, 'g1'), ...orderViolations(s, 'g2')]).toEqual([]);
        // Every stored message was eventually acknowledged by both groups.
        expect(s.unacked('t', 'g1')).toBe(0);
        expect(s.unacked('t', 'g2')).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('without orderedByKey the same workload does break per-key order (so the property above is not vacuous)', async () => {
    let broken = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const s = brokerWorkload(seed, { ackTimeoutMs: 25, duplicate: 0.2 });
      await s.runUntilQuiescent();
      if (orderViolations(s, 'g1').length > 0) broken++;
    }
    expect(broken).toBeGreaterThan(5);
  });

  it('backlog = published − acked at every event, and matches the trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), async (seed, ordered) => {
        const s = brokerWorkload(seed, { orderedByKey: ordered, ackTimeoutMs: 25, duplicate: 0.2, retryDelayMs: 7 });
        let published = 0;
        const acks = new Map<string, number>([['g1', 0], ['g2', 0]]);
        let seen = 0;
        while (await s.step()) {
          for (; seen < s.trace.length; seen++) {
            const kind = s.trace.kindOf(seen);
            if (kind === 'publish') published++;
            if (kind === 'ack') {
              const g = (s.trace.get(seen).data as { group: string }).group;
              acks.set(g, acks.get(g)! + 1);
            }
          }
          for (const g of ['g1', 'g2']) {
            const st = s.groupStats('t', g);
            if (!st) continue;
            expect(st.backlog).toBe(st.published - st.acked);
            expect(st.backlog).toBe(s.unacked('t', g));
            expect(st.acked).toBe(acks.get(g)); // each message is acked at most once per group
            expect(st.published).toBe(published - st.startOffset);
          }
        }
        expect(s.unacked('t', 'g1') + s.unacked('t', 'g2')).toBe(0);
      }),
      { numRuns: 20 },
    );
  });
});

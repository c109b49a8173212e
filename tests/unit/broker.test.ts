import { describe, expect, it } from 'vitest';
import { kinds, sim } from './helpers.ts';

describe('broker', () => {
  it('redelivers when the ack is late, and keeps per-key order', async () => {
    const seen: string[] = [];
    const s = sim({ brokerTopics: { orders: { orderedByKey: true, ackTimeoutMs: 30 } }, network: { latency: { kind: 'fixed', ms: 1 } } }, {
      name: 'consumer',
      start(ctx) {
        ctx.subscribe('orders', async (p: { key: string; n: number }, meta) => {
          seen.push(`${p.key}${p.n}#${meta.deliveryCount}`);
          if (p.key === 'A' && p.n === 1 && meta.deliveryCount === 1) await ctx.sleep(100); // too slow: the broker gives up and redelivers
        });
      },
    }, {
      name: 'producer',
      async start(ctx) {
        for (let n = 1; n <= 3; n++) {
          await ctx.publish('orders', { key: 'A', n }, { key: 'A' });
          await ctx.publish('orders', { key: 'B', n }, { key: 'B' });
        }
      },
    });
    await s.runUntilQuiescent();
    const a = seen.filter((x) => x.startsWith('A'));
    // A1 is processed twice (at-least-once); A2 never overtakes A1.
    expect(a.slice(0, 2)).toEqual(['A1#1', 'A1#2']);
    expect(a.indexOf('A2#1')).toBeGreaterThan(a.indexOf('A1#2'));
    expect(seen.filter((x) => x.startsWith('B'))).toEqual(['B1#1', 'B2#1', 'B3#1']);
    expect(kinds(s.trace.events(), 'redeliver').length).toBeGreaterThan(0);
    expect(s.unacked('orders', 'consumer')).toBe(0);
  });

  it('redelivers to a consumer that crashed before acking, after it restarts', async () => {
    const processed: number[] = [];
    const s = sim({ brokerTopics: { jobs: { ackTimeoutMs: 20 } } }, {
      name: 'worker',
      start(ctx) {
        ctx.subscribe('jobs', async (n: number) => {
          await ctx.sleep(5);
          processed.push(n);
        });
      },
    }, { name: 'producer', start: (ctx) => void ctx.publish('jobs', 7) });
    s.applySchedule([{ at: 4, kind: 'crash', service: 'worker' }, { at: 50, kind: 'restart', service: 'worker' }]);
    await s.runUntilQuiescent();
    expect(processed).toEqual([7]);
    expect(s.unacked('jobs', 'worker')).toBe(0);
  });

  it('redelivers after a handler throws (nack), and gives every group its own copy', async () => {
    const seen: string[] = [];
    const s = sim({}, {
      name: 'flaky',
      start(ctx) {
        ctx.subscribe('t', (_p, meta) => {
          seen.push(`flaky#${meta.deliveryCount}`);
          if (meta.deliveryCount < 3) throw new Error('not yet');
        });
      },
    }, { name: 'audit', start: (ctx) => ctx.subscribe('t', () => void seen.push('audit')) }, { name: 'p', start: (ctx) => void ctx.publish('t', 1) });
    await s.runUntilQuiescent();
    expect(seen.filter((x) => x.startsWith('flaky'))).toEqual(['flaky#1', 'flaky#2', 'flaky#3']);
    expect(seen.filter((x) => x === 'audit')).toHaveLength(1);
    expect(kinds(s.trace.events(), 'nack')).toHaveLength(2);
  });

  it('times out a publish when the broker is partitioned away', async () => {
    let err = '';
    const s = sim({}, {
      name: 'p',
      async start(ctx) {
        await ctx.sleep(5);
        await ctx.publish('t', 1, { timeoutMs: 20 }).catch((e: Error) => (err = e.name));
      },
    });
    s.applySchedule([{ at: 1, kind: 'partition', groups: [['p'], ['broker']] }]);
    await s.runUntilQuiescent();
    expect(err).toBe('PublishTimeout');
  });
});

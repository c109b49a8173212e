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

describe('broker offsets, group start and stats', () => {
  it('gives every message its offset, and starts a new group at the beginning, the end, or an offset', async () => {
    const seen: Record<string, number[]> = {};
    const s = sim({ network: { latency: { kind: 'fixed', ms: 1 } } }, {
      name: 'producer',
      async start(ctx) {
        for (let n = 0; n < 4; n++) await ctx.publish('t', n);
      },
    }, {
      name: 'consumer',
      async start(ctx) {
        await ctx.sleep(50); // all 4 stored by now
        const track = (group: string) => (_p: unknown, meta: { offset: number }) => void (seen[group] ??= []).push(meta.offset);
        ctx.subscribe('t', track('all'), { group: 'all' });
        ctx.subscribe('t', track('end'), { group: 'end', from: 'end' });
        ctx.subscribe('t', track('from2'), { group: 'from2', from: 2 });
        ctx.subscribe('t', track('far'), { group: 'far', from: 99 });
        await ctx.sleep(50);
        ctx.subscribe('t', track('all'), { group: 'all', from: 'end' }); // an existing group keeps its position
        await ctx.publish('t', 4);
      },
    });
    await s.runUntilQuiescent();
    expect(seen).toEqual({ all: [0, 1, 2, 3, 4], end: [4], from2: [2, 3, 4] });
    expect(s.groupStats('t', 'from2')).toEqual({ published: 3, acked: 3, pending: 0, inFlight: 0, retrying: 0, backlog: 0, startOffset: 2 });
    expect(s.groupStats('t', 'far')).toMatchObject({ published: 0, backlog: 0, startOffset: 99 });
    expect(s.topics()).toEqual(['t']);
    expect(s.groups('t')).toEqual(['all', 'end', 'from2', 'far']);
    expect(s.published('t')).toBe(5);
    const subs = kinds(s.trace.events(), 'subscribe').map((e) => e.data);
    expect(subs[1]).toEqual({ topic: 't', group: 'end', startOffset: 4, created: true });
    expect(subs[4]).toEqual({ topic: 't', group: 'all', startOffset: 0, created: false });
  });

  it('counts a nacked message as unacknowledged while it waits for its retry', async () => {
    const backlog: number[] = [];
    const s = sim({ brokerTopics: { t: { retryDelayMs: 30 } } }, {
      name: 'c',
      start: (ctx) => ctx.subscribe('t', (_p, meta) => {
        if (meta.deliveryCount === 1) throw new Error('later');
      }),
    }, {
      name: 'p',
      async start(ctx) {
        await ctx.publish('t', 1);
        await ctx.sleep(10);
        backlog.push(s.unacked('t', 'c'), s.groupStats('t', 'c')!.retrying);
      },
    });
    await s.runUntilQuiescent();
    expect(backlog).toEqual([1, 1]);
    expect(s.unacked('t', 'c')).toBe(0);
  });

  it('rejects bad topic options and subscribe options with clear messages', async () => {
    expect(() => sim({ brokerTopics: { t: { ackTimeoutMs: 0 } } })).toThrow(/brokerTopics\["t"\]: ackTimeoutMs must be a finite number > 0/);
    expect(() => sim({ brokerTopics: { t: { duplicate: 2 } } })).toThrow(/duplicate must be a probability from 0 to 1/);
    expect(() => sim({ brokerTopics: { t: { orderedByKey: 'yes' as never } } })).toThrow(/orderedByKey must be true or false/);
    const errors: string[] = [];
    const s = sim({}, {
      name: 'c',
      start(ctx) {
        for (const opts of [{ from: -1 }, { from: 'start' }, { from: 1.5 }, { group: '' }] as never[]) {
          try {
            ctx.subscribe('t', () => undefined, opts);
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      },
    });
    await s.runUntilQuiescent();
    expect(errors.slice(0, 3).every((m) => /from must be 'beginning', 'end' or an offset/.test(m))).toBe(true);
    expect(errors[3]).toMatch(/group must be a non-empty string/);
  });
});

import { describe, expect, it } from 'vitest';
import { gradeWithFactory, runRecorded as runOnce, runScenarioWithFactory } from '../../src/grading/grade.ts';
import { HARNESS_SERVICE } from '../../src/grading/run.ts';
import type { CheckSpec, ExerciseDefinition, RunOutcome, ScenarioHarness, ScenarioSetup } from '../../src/grading/types.ts';
import type { CrashAfterFault, ServiceDefinition } from '../../src/sim/index.ts';
import { factoryOf } from './helpers.ts';

/**
 * A tiny exercise exercising the harness capabilities: `orders` (provided)
 * stores an order and publishes `order-placed`; the learner's `projection`
 * counts orders from the topic (deduplicating in the same transaction) and
 * answers `getStats`. The driver places orders and queries through the
 * harness; every delivery is duplicated (exercise-level broker option).
 */
const orders: ServiceDefinition = {
  name: 'orders',
  start(ctx) {
    ctx.handle('place', async (o: { id: string; amount: number }) => {
      await ctx.db.put('orders', o);
      await ctx.publish('orders', o, { key: o.id });
      return 'ok';
    });
  },
};

const CORRECT = `
export function projection(ctx) {
  ctx.handle('getStats', () => ctx.db.get('stats', 'all') ?? { id: 'all', count: 0, total: 0 });
  ctx.subscribe('orders', (o, meta) => ctx.db.transaction((tx) => {
    if (tx.get('seen', meta.messageId)) return;
    tx.insert('seen', { id: meta.messageId, offset: meta.offset });
    const s = tx.get('stats', 'all') ?? { id: 'all', count: 0, total: 0 };
    tx.put('stats', { id: 'all', count: s.count + 1, total: s.total + o.amount });
  }), { group: 'projection' });
}`;

const NO_DEDUP = `
export function projection(ctx) {
  ctx.handle('getStats', () => ctx.db.get('stats', 'all') ?? { id: 'all', count: 0, total: 0 });
  ctx.subscribe('orders', (o) => ctx.db.transaction((tx) => {
    const s = tx.get('stats', 'all') ?? { id: 'all', count: 0, total: 0 };
    tx.put('stats', { id: 'all', count: s.count + 1, total: s.total + o.amount });
  }), { group: 'projection' });
}`;

const text = (en: string) => ({ ru: en, en });

async function drive(h: ScenarioHarness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.call('orders', 'place', { id: `o${i}`, amount: 10 * (i + 1) });
  await h.runUntil(() => h.brokerBacklog('orders', 'projection') === 0, 2_000);
  await h.call('projection', 'getStats', null);
}

function setup(n: number, extra: Partial<ScenarioSetup> = {}): ScenarioSetup {
  return { services: [orders], drive: (h) => drive(h, n), ...extra };
}

/** The last getStats reply the harness received (from the trace). */
function lastReply(run: RunOutcome): { count: number; total: number } | undefined {
  const replies = run.traceOf('send').filter((e) => e.service === 'projection' && e.peer === HARNESS_SERVICE && (e.data as { kind: string }).kind === 'response');
  const body = replies.at(-1)?.data as { payload: { ok: boolean; value: { count: number; total: number } } } | undefined;
  return body?.payload.ok ? body.payload.value : undefined;
}

const checks: CheckSpec[] = [
  {
    id: 'count',
    title: text('count = orders'),
    points: 50,
    level: 'basic',
    criterion: text('projection'),
    scenarios: ['three', 'preloaded'],
    random: true,
    verify(run) {
      const stats = run.rows('projection', 'stats')[0] ?? { count: 0 };
      const initial = (run.data as { initialCount?: number } | undefined)?.initialCount ?? 0;
      const placed = run.rows('orders', 'orders').length;
      return stats.count === placed + initial ? null : { message: text(`count ${stats.count}, orders ${placed + initial}`) };
    },
  },
  {
    id: 'answers-and-backlog',
    title: text('query answers from the view; nothing left unacked'),
    points: 50,
    level: 'basic',
    criterion: text('projection'),
    scenarios: ['three'],
    random: true,
    verify(run) {
      const reply = lastReply(run);
      const stats = run.rows('projection', 'stats')[0];
      if (!reply || reply.count !== stats?.count) return { message: text(`reply ${JSON.stringify(reply)} vs view ${JSON.stringify(stats)}`) };
      const g = run.broker().orders?.groups.projection;
      if (run.brokerBacklog('orders', 'projection') !== 0 || !g || g.acked !== run.broker().orders!.published) return { message: text(`backlog ${JSON.stringify(g)}`) };
      return null;
    },
  },
];

const crashAfterAck: CrashAfterFault = { at: 0, kind: 'crash-after', service: 'projection', on: 'handler-return', topic: 'orders', restartAfterMs: 20 };

const EX: ExerciseDefinition = {
  id: 'capabilities-probe',
  version: 1,
  chapter: 0,
  order: 0,
  title: text('probe'),
  summary: text('probe'),
  criteria: [],
  rubric: false,
  record: { changes: true },
  learnerServices: [{ service: 'projection', exportName: 'projection' }],
  scenarios: [
    { id: 'three', title: text('three orders'), seed: 1, setup: () => setup(3, { faults: [crashAfterAck] }) },
    {
      id: 'preloaded',
      title: text('a view that already counts 10 orders'),
      seed: 2,
      setup: () => setup(2, { initialRows: { projection: { stats: { rows: [{ id: 'all', count: 10, total: 500 }] } } }, data: { initialCount: 10 } }),
    },
  ],
  random: {
    title: text('random'),
    setup: () => setup(3),
    schedule: { services: ['projection'], horizonMs: 30, episodes: 2, kinds: ['crash-after'], crashPoints: [{ service: 'projection', on: 'handler-return', topic: 'orders' }, { service: 'projection', on: 'tx-commit', table: 'stats' }] },
  },
  checks,
  hints: [],
  sim: { maxEvents: 200_000, maxTime: 20_000, brokerTopics: { orders: { duplicate: 1, ackTimeoutMs: 30 } } },
};

/** Like the sandbox, report errors by name and message only (host stack traces differ between call paths, so they stay out of traces). */
const runtime = (src: string) => ({ factory: factoryOf(src), describeError: (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message }) });

describe('harness and run-outcome capabilities', () => {
  it('the driver calls and queries services from the harness node, traced like any call', async () => {
    const sc = EX.scenarios[0]!;
    const s = sc.setup();
    const run = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: sc.id, seed: sc.seed, random: false, setup: s, faults: s.faults! });
    const calls = run.traceOf('send').filter((e) => e.service === HARNESS_SERVICE).map((e) => (e.data as { type: string }).type);
    expect(calls).toEqual(['place', 'place', 'place', 'getStats']);
    expect(lastReply(run)).toEqual({ id: 'all', count: 3, total: 60 });
    expect(run.tables('projection')).toEqual(['seen', 'stats']);
    expect(run.tables('nobody')).toEqual([]);
    expect(run.changes('nobody')).toEqual([]);
    expect(run.broker()).toEqual({ orders: { published: 3, groups: { projection: { published: 3, acked: 3, pending: 0, inFlight: 0, retrying: 0, backlog: 0, startOffset: 0 } } } });
  });

  it('reports when a crash point fired, and the liveness clock (quietAt) starts after its restart', async () => {
    const sc = EX.scenarios[0]!;
    const s = sc.setup();
    const run = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: sc.id, seed: sc.seed, random: false, setup: s, faults: s.faults! });
    const f = run.faults.find((x) => x.kind === 'crash-after') as CrashAfterFault;
    const crash = run.traceOf('crash')[0]!;
    expect(f.firedAt).toBe(crash.t);
    expect(crashAfterAck.firedAt).toBeUndefined(); // the scenario's own fault object is not modified
    expect(run.quietAt).toBe(crash.t + 20);
    expect(run.traceOf('broker-deliver').some((e) => (e.data as { deliveryCount: number }).deliveryCount === 2)).toBe(true);
  });

  it('a driver can arm a crash point at the current time; it is reported like a scheduled one', async () => {
    const s = setup(2, {
      drive: async (h) => {
        await h.advance(5);
        h.inject({ at: 0, kind: 'crash-after', service: 'orders', on: 'publish-ack', topic: 'orders', restartAfterMs: 10 });
        await h.call('orders', 'place', { id: 'x', amount: 1 }).catch(() => undefined); // orders crashes before its reply
      },
    });
    const run = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: 'driven', seed: 3, random: false, setup: s, faults: [] });
    const armed = run.faults.find((x) => x.kind === 'crash-after') as CrashAfterFault;
    expect(armed.at).toBe(5);
    expect(armed.firedAt).toBeGreaterThan(5);
    expect(run.rows('orders', 'orders')).toEqual([{ id: 'x', amount: 1 }]); // committed; the reply never came
    expect(run.traceOf('timeout').some((e) => e.service === HARNESS_SERVICE)).toBe(true);
  });

  it('a driver can redeploy a learner service to another export mid-run; the database stays', async () => {
    const V2 = CORRECT.replace('export function projection', 'function v1') + `
export function projection(ctx) { v1(ctx); }
export function projectionV2(ctx) { ctx.handle('getStats', () => ({ ...ctx.db.get('stats', 'all'), v: 2 })); }`;
    const s = setup(0, {
      drive: async (h) => {
        await drive(h, 2);
        h.redeploy('projection', 'projectionV2');
        await h.call('projection', 'getStats', null);
      },
    });
    const run = await runOnce({ exercise: EX, runtime: runtime(V2), scenario: 'redeploy', seed: 4, random: false, setup: s, faults: [] });
    expect(lastReply(run)).toEqual({ id: 'all', count: 2, total: 30, v: 2 });
    expect(run.traceOf('restart').map((e) => e.data)).toEqual([{ incarnation: 2, redeploy: 'projectionV2' }]);
  });

  it('preloads tables before the learner starts (commit 0 in the change log)', async () => {
    const sc = EX.scenarios[1]!;
    const run = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: sc.id, seed: sc.seed, random: false, setup: sc.setup(), faults: [] });
    expect(run.rows('projection', 'stats')).toEqual([{ id: 'all', count: 12, total: 530 }]);
    expect(run.changes('projection')[0]).toMatchObject({ lsn: 1, txId: 0, op: 'insert', key: 'all', after: { id: 'all', count: 10, total: 500 } });
  });

  it('broker topic options reach the kernel in scenario and random runs; a scenario replaces a topic’s options', async () => {
    const dupes = (run: RunOutcome) => run.traceOf('duplicate').filter((e) => e.service === 'broker').length;
    const random = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: 'random', seed: 5, random: true, setup: EX.random.setup(5), faults: [] });
    expect(dupes(random)).toBeGreaterThan(0);
    const plain = setup(3, { sim: { brokerTopics: { orders: { ackTimeoutMs: 30 } } } });
    const over = await runOnce({ exercise: EX, runtime: runtime(CORRECT), scenario: 'x', seed: 5, random: false, setup: plain, faults: [] });
    expect(dupes(over)).toBe(0);
  });

  it('checks written on these capabilities pass the correct projection and fail the one without dedup', async () => {
    const good = await gradeWithFactory(EX, runtime(CORRECT), { seeds: 15 });
    expect(good.checks.filter((c) => !c.passed).map((c) => c.message?.en)).toEqual([]);
    const again = await gradeWithFactory(EX, runtime(CORRECT), { seeds: 15 });
    expect(again.traceDigest).toBe(good.traceDigest);
    const bad = await gradeWithFactory(EX, runtime(NO_DEDUP), { seeds: 15 });
    expect(bad.checks.find((c) => c.id === 'count')!.passed).toBe(false);
    expect(bad.checks.find((c) => c.id === 'count')!.message?.en).toMatch(/^\[scenario "three"\] count (?!3,)\d+, orders 3/); // duplicates counted (and racing each other)
  });

  it('a check may observe its scenario run (informational, never scored): in the grade report and in a run report; a throwing observer is reported as text', async () => {
    const observing: ExerciseDefinition = {
      ...EX,
      checks: [
        { ...checks[0]!, observe: (run) => ({ ru: `заказов: ${run.rows('orders', 'orders').length}`, en: `orders: ${run.rows('orders', 'orders').length}` }) },
        {
          ...checks[1]!,
          observe: () => {
            throw new Error('boom');
          },
        },
      ],
    };
    const good = await gradeWithFactory(observing, runtime(CORRECT), { seeds: 2 });
    expect(good.checks.map((c) => c.observation)).toEqual([{ ru: 'заказов: 3', en: 'orders: 3' }, { ru: 'Наблюдение недоступно: boom', en: 'Observation unavailable: boom' }]);
    expect(good.score).toBe(100);
    const bad = await gradeWithFactory(observing, runtime(NO_DEDUP), { seeds: 2 });
    expect(bad.checks[0]!.passed).toBe(false);
    expect(bad.checks[0]!.observation).toEqual({ ru: 'заказов: 3', en: 'orders: 3' }); // shown whether or not the check passed
    expect((await gradeWithFactory(EX, runtime(CORRECT), { seeds: 1 })).checks.map((c) => 'observation' in c)).toEqual([false, false]);
    const one = await runScenarioWithFactory(observing, runtime(CORRECT), { scenario: 'three' });
    expect(one.checks[0]!.observation).toEqual({ ru: 'заказов: 3', en: 'orders: 3' });
  });
});

import { describe, expect, it } from 'vitest';
import { kinds, logs, sim } from './helpers.ts';

describe('crash and restart', () => {
  it('abandons a crashed incarnation\'s pending work and restarts with the database intact', async () => {
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        const boots = (ctx.db.get<{ id: string; n: number }>('meta', 'boots')?.n ?? 0) + 1;
        await ctx.db.put('meta', { id: 'boots', n: boots });
        ctx.log.info(`boot ${boots} incarnation ${ctx.incarnation}`);
        await ctx.sleep(100);
        ctx.log.info(`woke up in incarnation ${ctx.incarnation}`);
      },
    });
    s.applySchedule([{ at: 50, kind: 'crash', service: 'svc' }, { at: 60, kind: 'restart', service: 'svc' }]);
    await s.runUntilQuiescent();
    expect(logs(s, 'svc')).toEqual(['boot 1 incarnation 1', 'boot 2 incarnation 2', 'woke up in incarnation 2']);
    expect(s.rows('svc', 'meta')).toEqual([{ id: 'boots', n: 2 }]);
  });

  it('refuses and traces late calls from a dead incarnation', async () => {
    let captured: import('../../src/sim/index.ts').ServiceContext | undefined;
    let error = '';
    const s = sim({}, { name: 'svc', start: (ctx) => void (captured ??= ctx) }, {
      name: 'other',
      async start(ctx) {
        await ctx.sleep(20);
        try {
          captured!.send('other', 'x'); // first incarnation of svc, long dead
        } catch (e) {
          error = (e as Error).name;
        }
      },
    });
    s.applySchedule([{ at: 5, kind: 'crash', service: 'svc' }, { at: 6, kind: 'restart', service: 'svc' }]);
    await s.runUntilQuiescent();
    expect(error).toBe('StaleIncarnation');
    expect(kinds(s.trace.events(), 'stale-call')).toHaveLength(1);
  });

  it('drops messages to a service that is down and answers after restart', async () => {
    const answers: string[] = [];
    const s = sim({ network: { latency: { kind: 'fixed', ms: 1 } } }, { name: 'svc', start: (ctx) => ctx.handle('ping', () => 'pong') }, {
      name: 'client',
      async start(ctx) {
        for (let i = 0; i < 4; i++) {
          answers.push(await ctx.call('svc', 'ping', null, { timeoutMs: 10 }).catch((e: Error) => e.name));
          await ctx.sleep(10);
        }
      },
    });
    s.applySchedule([{ at: 5, kind: 'crash', service: 'svc' }, { at: 25, kind: 'restart', service: 'svc' }]);
    await s.runUntilQuiescent();
    expect(answers).toEqual(['pong', 'RpcTimeout', 'pong', 'pong']); // down from t=5 to t=25: only the call at t=12 is lost
    expect(s.trace.events().some((e) => e.kind === 'drop' && (e.data as { reason: string }).reason === 'down')).toBe(true);
  });

  it('traces errors thrown by handlers, including non-Errors, without stopping the run', async () => {
    const s = sim({}, {
      name: 'svc',
      start(ctx) {
        ctx.on('a', () => {
          throw 42;
        });
        ctx.on('b', async () => {
          throw { weird: true };
        });
        ctx.send('svc', 'a');
        ctx.send('svc', 'b');
      },
    });
    const r = await s.runUntilQuiescent();
    expect(r.reason).toBe('quiescent');
    const errs = kinds(s.trace.events(), 'handler-error').map((e) => (e.data as { error: { message: string } }).error.message);
    expect(errs.sort()).toEqual(['a non-Error value was thrown: 42', 'a non-Error value was thrown: {"weird":true}']);
  });

  it('stops an async spin with the event budget', async () => {
    const s = sim({ maxEvents: 1000 }, {
      name: 'spin',
      async start(ctx) {
        for (;;) await ctx.sleep(0);
      },
    });
    const r = await s.runUntilQuiescent();
    expect(r.reason).toBe('event-budget');
  });

  it('runs until a virtual time and steps one event at a time', async () => {
    const s = sim({}, {
      name: 'tick',
      async start(ctx) {
        for (let i = 0; i < 10; i++) {
          await ctx.sleep(10);
          ctx.log.info(`t${ctx.now()}`);
        }
      },
    });
    const r = await s.runUntil(35);
    expect(r.reason).toBe('time-limit');
    expect(logs(s)).toEqual(['t10', 't20', 't30']);
    expect(await s.step()).toBe(true);
    expect(logs(s)).toEqual(['t10', 't20', 't30', 't40']);
    await s.runUntilQuiescent();
    expect(logs(s)).toHaveLength(10);
    expect(await s.step()).toBe(false);
  });

  it('lets a quiet period pass: runUntil moves the clock even with nothing queued', async () => {
    const s = sim({}, { name: 'idle', start: () => {} });
    const r = await s.runUntil(500);
    expect(r).toMatchObject({ reason: 'quiescent', now: 500 });
    s.crash('idle');
    expect(s.trace.events().find((e) => e.kind === 'crash')!.t).toBe(500);
  });

  it('timers fire in virtual time and can be cleared; crashes cancel them', async () => {
    const s = sim({}, {
      name: 'svc',
      start(ctx) {
        ctx.setTimer(() => ctx.log.info('a'), 5);
        const b = ctx.setTimer(() => ctx.log.info('b'), 6);
        ctx.clearTimer(b);
        ctx.setTimer(() => ctx.log.info('c'), 50);
      },
    });
    s.applySchedule([{ at: 20, kind: 'crash', service: 'svc' }]);
    await s.runUntilQuiescent();
    expect(logs(s)).toEqual(['a']);
  });
});

describe('redeploy', () => {
  it('replaces a service\'s code: the old incarnation is abandoned, the new code starts at once with the database intact', async () => {
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        await ctx.db.put('meta', { id: 'v', code: 1 });
        await ctx.sleep(50);
        ctx.log.info('v1 woke up'); // never: redeployed at t=10
      },
    });
    await s.runUntil(10);
    s.redeploy('svc', async (ctx) => {
      ctx.log.info(`v2 sees code ${ctx.db.get<{ code: number }>('meta', 'v')!.code} in incarnation ${ctx.incarnation}`);
    }, 'v2');
    await s.runUntilQuiescent();
    expect(logs(s, 'svc')).toEqual(['v2 sees code 1 in incarnation 2']);
    const events = s.trace.events();
    expect(kinds(events, 'crash').map((e) => e.data)).toEqual([{ incarnation: 1, redeploy: 'v2' }]);
    expect(kinds(events, 'restart').map((e) => e.data)).toEqual([{ incarnation: 2, redeploy: 'v2' }]);
    expect(() => s.redeploy('svc', 'nope' as never, 'x')).toThrow(/start must be a function/);
  });
});

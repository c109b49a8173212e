import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, describeFault, generateSchedule, quietTime, type CrashAfterFault, type Fault, type TraceEvent } from '../../src/sim/index.ts';
import { kinds } from './helpers.ts';

interface Mark {
  inc: number;
  i: number;
  step: string;
  t: number;
  /** Trace length when the mark was made: a mark after the crash event has seq > the crash's id. */
  seq: number;
}

/**
 * `svc` handles `work` requests: it commits a row, publishes an event, sends a
 * note and replies; it also consumes its own events. Every step after an await
 * leaves a mark, so a continuation that runs after a crash is visible.
 */
function workload(seed: number, faults: Fault[], requests = 5): { s: Simulation; marks: Mark[] } {
  const marks: Mark[] = [];
  const s = new Simulation({ seed, network: { latency: { kind: 'uniform', min: 0.5, max: 3 } }, brokerTopics: { events: { ackTimeoutMs: 40 } }, maxEvents: 200_000 });
  s.addService({
    name: 'svc',
    start(ctx) {
      const mark = (i: number, step: string) => marks.push({ inc: ctx.incarnation, i, step, t: ctx.now(), seq: s.trace.length });
      ctx.handle('work', async ({ i }: { i: number }) => {
        await ctx.db.put('done', { id: i });
        mark(i, 'committed');
        await ctx.publish('events', { i }).catch(() => undefined);
        mark(i, 'published');
        ctx.send('peer', 'note', { i });
        return i;
      });
      ctx.subscribe('events', async ({ i }: { i: number }) => {
        await ctx.db.put('seen', { id: i });
        mark(i, 'consumed');
      });
    },
  });
  s.addService({ name: 'peer', start: (ctx) => ctx.on('note', () => undefined) });
  s.addService({
    name: 'client',
    async start(ctx) {
      for (let i = 0; i < requests; i++) {
        await ctx.call('svc', 'work', { i }, { timeoutMs: 60 }).catch(() => undefined);
        await ctx.sleep(5);
      }
    },
  });
  s.applySchedule(faults);
  return { s, marks };
}

const crashOf = (events: TraceEvent[]) => events.find((e) => e.kind === 'crash' && e.service === 'svc')!;
const point = (e: TraceEvent) => (e.data as { point: Record<string, unknown> }).point;

describe('crash points', () => {
  it('tx-commit: the commit is durable, the code waiting for it never resumes, the service restarts', async () => {
    const f: CrashAfterFault = { at: 0, kind: 'crash-after', service: 'svc', on: 'tx-commit', table: 'done', nth: 2, restartAfterMs: 7 };
    const { s, marks } = workload(1, [f]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const commit = events[crash.id - 1]!;
    expect(commit.kind).toBe('tx-commit');
    expect((commit.data as { tables: string[] }).tables).toEqual(['done']);
    expect(point(crash)).toEqual({ on: 'tx-commit', table: 'done', nth: 2 });
    expect(s.rows('svc', 'done').map((r) => r.id)).toContain(1); // the second commit (request 1) is durable
    expect(marks.filter((m) => m.inc === 1 && m.seq > crash.id)).toEqual([]);
    expect(marks.some((m) => m.inc === 1 && m.i === 1 && m.step === 'committed')).toBe(false);
    const restart = events.find((e) => e.kind === 'restart' && e.service === 'svc')!;
    expect(restart.t).toBeCloseTo(crash.t + 7, 6);
    expect(s.crashPoints()).toEqual([{ fault: f, firedAt: crash.t }]);
  });

  it('handler-return (RPC): the handler ran to the end, but its reply is never sent', async () => {
    const { s } = workload(2, [{ at: 0, kind: 'crash-after', service: 'svc', on: 'handler-return', method: 'work', nth: 1, restartAfterMs: 5 }]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const before = events.filter((e) => e.id < crash.id);
    expect(before.some((e) => e.kind === 'send' && e.service === 'peer')).toBe(false);
    expect(before.filter((e) => e.kind === 'send' && e.service === 'svc' && (e.data as { type: string }).type === 'note')).toHaveLength(1);
    expect(before.filter((e) => e.kind === 'send' && e.service === 'svc' && (e.data as { kind: string }).kind === 'response')).toHaveLength(0);
    expect(kinds(events, 'timeout').some((e) => e.service === 'client')).toBe(true);
  });

  it('handler-return (topic): the consumer processed the message but never acked it, so it is redelivered after the restart', async () => {
    const { s, marks } = workload(3, [{ at: 0, kind: 'crash-after', service: 'svc', on: 'handler-return', topic: 'events', restartAfterMs: 5 }], 2);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    expect(events.filter((e) => e.id < crash.id && e.kind === 'ack')).toHaveLength(0);
    expect(marks.filter((m) => m.step === 'consumed' && m.i === 0).map((m) => m.inc)).toEqual([1, 2]);
    expect(s.unacked('events', 'svc')).toBe(0);
  });

  it('publish-ack: the broker stored the message, the publisher never learns it', async () => {
    const { s, marks } = workload(4, [{ at: 0, kind: 'crash-after', service: 'svc', on: 'publish-ack', topic: 'events', restartAfterMs: 5 }]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const stored = events[crash.id - 1]!;
    expect(stored.kind).toBe('publish');
    expect(stored.peer).toBe('svc');
    expect(marks.filter((m) => m.inc === 1 && m.step === 'published')).toEqual([]);
    expect(s.published('events')).toBeGreaterThanOrEqual(1);
  });

  it('send: the message is on the wire when the service crashes', async () => {
    const { s } = workload(5, [{ at: 0, kind: 'crash-after', service: 'svc', on: 'send', method: 'note', to: 'peer', restartAfterMs: 5 }]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const sent = events[crash.id - 1]!;
    expect(sent.kind).toBe('send');
    expect((sent.data as { type: string }).type).toBe('note');
    expect(events.some((e) => e.kind === 'deliver' && e.service === 'peer')).toBe(true);
  });

  it('deliver (request): the service crashes on receipt, so the handler never runs for that request and the caller times out', async () => {
    const f: CrashAfterFault = { at: 0, kind: 'crash-after', service: 'svc', on: 'deliver', method: 'work', from: 'client', nth: 2, restartAfterMs: 5 };
    const { s, marks } = workload(7, [f]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const received = events[crash.id - 1]!;
    expect(received.kind).toBe('deliver');
    expect(received.service).toBe('svc');
    expect(received.peer).toBe('client');
    expect(crash.cause).toBe(received.id);
    expect(point(crash)).toEqual({ on: 'deliver', method: 'work', from: 'client', nth: 2 });
    expect(marks.some((m) => m.i === 1)).toBe(false); // request 1 was lost with the incarnation
    expect(marks.filter((m) => m.i === 0 && m.step === 'committed')).toHaveLength(1);
    expect(kinds(events, 'timeout').some((e) => e.service === 'client')).toBe(true);
    expect(describeFault(f)).toBe('t=0 crash svc after deliver method=work from=client #2, restart after 5ms');
  });

  it('deliver (broker): a delivery lost on receipt is never acked, so the broker redelivers it after the restart', async () => {
    const { s, marks } = workload(8, [{ at: 0, kind: 'crash-after', service: 'svc', on: 'deliver', topic: 'events', from: 'broker', restartAfterMs: 5 }], 2);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    expect(events[crash.id - 1]!.kind).toBe('deliver');
    expect(events[crash.id - 1]!.peer).toBe('broker');
    expect(marks.filter((m) => m.step === 'consumed' && m.i === 0).map((m) => m.inc)).toEqual([2]);
    expect(s.unacked('events', 'svc')).toBe(0);
  });

  it('counts occurrences only from `at` on, and ignores points that do not match the filters', async () => {
    const late: CrashAfterFault = { at: 12, kind: 'crash-after', service: 'svc', on: 'tx-commit', table: 'done', restartAfterMs: 1 };
    const never: CrashAfterFault = { at: 0, kind: 'crash-after', service: 'svc', on: 'tx-commit', table: 'other', restartAfterMs: 1 };
    const { s } = workload(6, [late, never]);
    await s.runUntilQuiescent();
    const events = s.trace.events();
    const crash = crashOf(events);
    const firstCommitAfter = events.find((e) => e.kind === 'tx-commit' && e.t >= 12 && (e.data as { tables: string[] }).tables.includes('done'))!;
    expect(crash.id).toBe(firstCommitAfter.id + 1);
    expect(kinds(events, 'crash')).toHaveLength(1);
    expect(s.crashPoints().map((p) => [p.fault, p.firedAt >= 0])).toEqual([[never, false], [late, true]]); // in arming order
  });

  it('rejects malformed crash points before the run, with a clear message', () => {
    const s = new Simulation({ seed: 1 });
    s.addService({ name: 'svc', start: () => undefined });
    const base = { at: 0, kind: 'crash-after' as const, service: 'svc', restartAfterMs: 1 };
    expect(() => s.applySchedule([{ ...base, on: 'tx-abort' as never }])).toThrow(/"on" must be one of tx-commit, handler-return, publish-ack, send, deliver/);
    expect(() => s.applySchedule([{ ...base, on: 'send', from: 'client' }])).toThrow(/"from" does not apply to on: "send" \(filters: method, to\)/);
    expect(() => s.applySchedule([{ ...base, on: 'tx-commit', method: 'x' }])).toThrow(/"method" does not apply to on: "tx-commit" \(filters: table\)/);
    expect(() => s.applySchedule([{ ...base, on: 'send', nth: 0 }])).toThrow(/"nth" must be an integer >= 1/);
    expect(() => s.applySchedule([{ ...base, on: 'send', restartAfterMs: -1 }])).toThrow(/"restartAfterMs" must be a finite number >= 0/);
    expect(() => s.inject({ ...base, service: 'ghost', on: 'send' })).toThrow(/unknown service "ghost"/);
  });

  it('are described in reports, and count in quietTime from when they fired', () => {
    const f: CrashAfterFault = { at: 3, kind: 'crash-after', service: 'orders', on: 'tx-commit', table: 'views', nth: 2, restartAfterMs: 50 };
    expect(describeFault(f)).toBe('t=3 crash orders after tx-commit table=views #2, restart after 50ms');
    expect(describeFault({ ...f, firedAt: 120 })).toBe('t=3 crash orders after tx-commit table=views #2, restart after 50ms (fired at t=120)');
    expect(quietTime([f])).toBe(3);
    expect(quietTime([{ ...f, firedAt: 120 }])).toBe(170);
  });
});

describe('crash points in generated schedules', () => {
  const opts = { services: ['a', 'b'], nodes: ['a', 'b', 'broker'], horizonMs: 100, episodes: 4 };

  it('are opt-in: default schedules never contain them', () => {
    fc.assert(fc.property(fc.integer(), (seed) => generateSchedule(seed, opts).every((f) => f.kind !== 'crash-after')));
  });

  it('are drawn from the candidates given, deterministic and serializable', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const o = { ...opts, kinds: ['crash-after' as const, 'loss' as const], crashPoints: [{ service: 'a', on: 'tx-commit' as const, table: 't' }], crashPointMaxNth: 2 };
        const sched = generateSchedule(seed, o);
        expect(generateSchedule(seed, o)).toEqual(sched);
        expect(JSON.parse(JSON.stringify(sched))).toEqual(sched);
        for (const f of sched) {
          if (f.kind !== 'crash-after') continue;
          expect(f).toMatchObject({ service: 'a', on: 'tx-commit', table: 't' });
          expect([1, 2]).toContain(f.nth);
          expect(f.restartAfterMs).toBeGreaterThan(0);
        }
      }),
    );
    const all = generateSchedule(7, { ...opts, kinds: ['crash-after'], episodes: 40 }).filter((f) => f.kind === 'crash-after');
    expect(new Set(all.map((f) => (f as CrashAfterFault).on))).toEqual(new Set(['tx-commit', 'handler-return', 'publish-ack', 'send', 'deliver']));
  });
});

describe('crash point properties', () => {
  const points: Array<Omit<CrashAfterFault, 'at' | 'kind' | 'nth' | 'restartAfterMs'>> = [
    { service: 'svc', on: 'tx-commit', table: 'done' },
    { service: 'svc', on: 'tx-commit' },
    { service: 'svc', on: 'publish-ack', topic: 'events' },
    { service: 'svc', on: 'send', method: 'note' },
    { service: 'svc', on: 'handler-return', method: 'work' },
    { service: 'svc', on: 'handler-return', topic: 'events' },
    { service: 'svc', on: 'deliver', method: 'work' },
    { service: 'svc', on: 'deliver', topic: 'events' },
    { service: 'svc', on: 'deliver', from: 'client' },
  ];

  it('fire at exactly their instant: the triggering effect is durable or on the wire, and the crashed incarnation never acts again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: points.length - 1 }), fc.integer({ min: 1, max: 3 }), async (seed, which, nth) => {
        const p = points[which]!;
        const { s, marks } = workload(seed, [{ ...p, at: 0, kind: 'crash-after', nth, restartAfterMs: 10 }]);
        await s.runUntilQuiescent();
        const events = s.trace.events();
        const crash = crashOf(events);
        expect(crash, `${JSON.stringify(p)} #${nth} never fired`).toBeDefined();
        const restart = events.find((e) => e.kind === 'restart' && e.service === 'svc' && e.id > crash.id)!;
        // The first incarnation has no effect after the crash: no sends, commits, logs; no continuation ran.
        const after = events.filter((e) => e.id > crash.id && e.id < restart.id && e.service === 'svc');
        expect(after.filter((e) => e.kind !== 'stale-call' && e.kind !== 'tx-abort' && e.kind !== 'drop')).toEqual([]);
        expect(marks.filter((m) => m.inc === 1 && m.seq > crash.id)).toEqual([]);
        const prev = events[crash.id - 1]!;
        switch (p.on) {
          case 'tx-commit': {
            expect(prev.kind).toBe('tx-commit');
            expect(prev.service).toBe('svc');
            // Durable: the rows of that commit are in the change log, and the mark right after the await never appeared.
            expect(s.changes('svc').some((c) => c.traceId === prev.id)).toBe(true);
            const commits = events.filter((e) => e.kind === 'tx-commit' && e.service === 'svc' && e.id <= prev.id && (!p.table || (e.data as { tables: string[] }).tables.includes(p.table)));
            expect(commits).toHaveLength(nth);
            break;
          }
          case 'publish-ack':
            expect(prev.kind).toBe('publish');
            expect(prev.peer).toBe('svc');
            expect(marks.filter((m) => m.inc === 1 && m.step === 'published')).toHaveLength(nth - 1);
            break;
          case 'send':
            expect(prev.kind).toBe('send');
            expect((prev.data as { type: string }).type).toBe('note');
            break;
          case 'deliver': {
            // Crashed on receipt: the delivery is the event right before the crash and no code of the incarnation saw it.
            expect(prev.kind).toBe('deliver');
            expect(prev.service).toBe('svc');
            expect(crash.cause).toBe(prev.id);
            // What was sent (the cause of each delivery): publish acks are not a deliver point.
            const sent = (e: TraceEvent) => events[e.cause!]!.data as { kind: string; type: string };
            const matches = (e: TraceEvent) =>
              sent(e).kind !== 'publish-ack' && (!p.from || e.peer === p.from) && (!p.topic || (sent(e).kind === 'broker-delivery' && sent(e).type === p.topic)) && (!p.method || (sent(e).kind !== 'broker-delivery' && sent(e).type === p.method));
            const received = events.filter((e) => e.id <= prev.id && e.kind === 'deliver' && e.service === 'svc' && matches(e));
            expect(received).toHaveLength(nth);
            break;
          }
          case 'handler-return': {
            const answered = events.filter((e) => e.id < crash.id && e.kind === 'send' && e.service === 'svc' && (p.method ? (e.data as { kind: string }).kind === 'response' : (e.data as { kind: string }).kind === 'ack'));
            expect(answered).toHaveLength(nth - 1);
            break;
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

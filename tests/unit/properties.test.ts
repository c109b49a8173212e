import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, generateSchedule, quietTime, type FaultSchedule, type TraceEvent } from '../../src/sim/index.ts';

/** A small lossy system: a client calls two services that write to their databases and publish. */
function system(seed: number, schedule: FaultSchedule): Simulation {
  const s = new Simulation({ seed, network: { loss: 0.05, duplicate: 0.05, reorder: 0.1 }, brokerTopics: { done: { ackTimeoutMs: 30 } }, maxEvents: 200_000 });
  for (const name of ['a', 'b']) {
    s.addService({
      name,
      start(ctx) {
        ctx.handle('work', async (p: { n: number }) => {
          await ctx.db.transaction((tx) => {
            tx.put('items', { id: `${p.n}`, n: p.n });
            tx.put('copies', { id: `${p.n}`, n: p.n });
          });
          await ctx.publish('done', { by: name, n: p.n }).catch(() => undefined);
          return p.n;
        });
      },
    });
  }
  s.addService({
    name: 'client',
    async start(ctx) {
      for (let n = 0; n < 8; n++) {
        await ctx.call(n % 2 ? 'a' : 'b', 'work', { n }, { timeoutMs: 40 }).catch(() => undefined);
        ctx.send(n % 2 ? 'b' : 'a', 'note', n);
      }
    },
  });
  s.addService({ name: 'sink', start: (ctx) => ctx.subscribe('done', (p: { n: number }) => ctx.log.info(`done ${p.n}`)) });
  s.applySchedule(schedule);
  return s;
}

const scheduleFor = (seed: number) => generateSchedule(seed, { services: ['a', 'b', 'client', 'sink'], nodes: ['a', 'b', 'client', 'sink', 'broker'], horizonMs: 150, episodes: 4 });

describe('simulator properties', () => {
  it('same seed ⇒ identical trace digest; different seeds ⇒ different runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const a = system(seed, scheduleFor(seed));
        const b = system(seed, scheduleFor(seed));
        const c = system(seed + 1, scheduleFor(seed + 1));
        await Promise.all([a.runUntilQuiescent(), b.runUntilQuiescent(), c.runUntilQuiescent()]);
        expect(a.trace.digest()).toBe(b.trace.digest());
        expect(a.trace.digest()).not.toBe(c.trace.digest());
      }),
      { numRuns: 25 },
    );
  });

  it('delivers nothing across a partition', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const s = system(seed, generateSchedule(seed, { services: [], nodes: ['a', 'b', 'client', 'sink', 'broker'], horizonMs: 150, episodes: 4, kinds: ['partition'] }));
        await s.runUntilQuiescent();
        let groups: string[][] | null = null;
        const events = s.trace.events();
        const sends = new Map<number, TraceEvent>();
        for (const e of events) {
          if (e.kind === 'partition') groups = (e.data as { groups: string[][] }).groups;
          if (e.kind === 'heal') groups = null;
          if (e.kind === 'send') sends.set(e.id, e);
          if (e.kind === 'deliver' && groups) {
            const g = groups;
            const side = (n: string) => g.findIndex((grp) => grp.includes(n));
            expect(side(e.service!), `delivery ${e.peer}->${e.service} at t=${e.t} crossed ${JSON.stringify(g)}`).toBe(side(e.peer!));
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('eventually processes every acknowledged publish at least once, despite crashes and late acks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const schedule = generateSchedule(seed, { services: ['sink'], horizonMs: 150, episodes: 3, kinds: ['crash', 'loss'] });
        const s = system(seed, schedule);
        await s.runUntilQuiescent();
        const events = s.trace.events();
        const stored = new Set(events.filter((e) => e.kind === 'publish').map((e) => (e.data as { payload: { n: number } }).payload.n));
        const processed = new Set(events.filter((e) => e.kind === 'log' && e.service === 'sink').map((e) => Number((e.data as { message: string }).message.split(' ')[1])));
        for (const n of stored) expect(processed.has(n), `message ${n} was stored but never processed (faults: ${JSON.stringify(schedule)})`).toBe(true);
        expect(s.unacked('done', 'sink')).toBe(0);
        expect(quietTime(schedule)).toBeLessThan(s.now + 1);
      }),
      { numRuns: 30 },
    );
  });

  it('commits a transaction entirely or not at all when its service crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.double({ min: 0, max: 60, noNaN: true }), { minLength: 1, maxLength: 4 }), async (seed, crashTimes) => {
        const schedule: FaultSchedule = crashTimes.flatMap((at) => [
          { at, kind: 'crash' as const, service: 'a' },
          { at: at + 3, kind: 'restart' as const, service: 'a' },
          { at, kind: 'crash' as const, service: 'b' },
          { at: at + 2, kind: 'restart' as const, service: 'b' },
        ]);
        const s = system(seed, schedule);
        await s.runUntilQuiescent();
        for (const svc of ['a', 'b']) {
          const items = s.rows(svc, 'items').map((r) => r.id).sort();
          const copies = s.rows(svc, 'copies').map((r) => r.id).sort();
          expect(items).toEqual(copies);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never resumes the abandoned work of a crashed incarnation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0.5, max: 40, noNaN: true }), async (seed, crashAt) => {
        const s = new Simulation({ seed, network: { loss: 0.1 } });
        const resumed: Array<{ inc: number; t: number }> = [];
        s.addService({ name: 'peer', start: (ctx) => ctx.handle('echo', async (p) => (await ctx.sleep(ctx.random() * 5), p)) });
        s.addService({
          name: 'worker',
          async start(ctx) {
            for (let i = 0; i < 20; i++) {
              await Promise.race([ctx.sleep(ctx.random() * 4), ctx.call('peer', 'echo', i, { timeoutMs: 10 }).catch(() => null)]);
              await ctx.db.insert('steps', { id: `${ctx.incarnation}-${i}` }).catch(() => undefined);
              resumed.push({ inc: ctx.incarnation, t: ctx.now() });
            }
          },
        });
        s.applySchedule([{ at: crashAt, kind: 'crash', service: 'worker' }, { at: crashAt + 1, kind: 'restart', service: 'worker' }]);
        await s.runUntilQuiescent();
        const events = s.trace.events();
        const crash = events.find((e) => e.kind === 'crash')!;
        // After the crash, incarnation 1's code never continues and none of its writes commit.
        expect(resumed.filter((r) => r.inc === 1 && r.t > crash.t)).toEqual([]);
        const rowsOfFirst = s.rows('worker', 'steps').filter((r) => String(r.id).startsWith('1-')).length;
        const commitsBeforeCrash = events.filter((e) => e.id < crash.id && e.kind === 'tx-commit' && e.service === 'worker').length;
        expect(rowsOfFirst).toBe(commitsBeforeCrash);
        expect(resumed.filter((r) => r.inc === 2)).toHaveLength(20);
      }),
      { numRuns: 40 },
    );
  });
});

describe('fault schedules', () => {
  it('are deterministic, sorted, and always end healed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 8 }), (seed, episodes) => {
        const opts = { services: ['x', 'y', 'z'], nodes: ['x', 'y', 'z', 'broker'], horizonMs: 200, episodes };
        const s = generateSchedule(seed, opts);
        expect(generateSchedule(seed, opts)).toEqual(s);
        expect(s.map((f) => f.at)).toEqual([...s.map((f) => f.at)].sort((a, b) => a - b));
        const down = new Set<string>();
        let partitioned = false;
        for (const f of s) {
          if (f.kind === 'crash') down.add(f.service);
          if (f.kind === 'restart') down.delete(f.service);
          if (f.kind === 'partition') partitioned = true;
          if (f.kind === 'heal') partitioned = false;
        }
        expect(down.size).toBe(0);
        expect(partitioned).toBe(false);
        expect(JSON.parse(JSON.stringify(s))).toEqual(s); // serializable
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, replayChanges, type Change, type FaultSchedule, type Row } from '../../src/sim/index.ts';
import { kinds, sim } from './helpers.ts';

describe('change log', () => {
  it('records every committed row change in order, collapses a transaction per row, and hands out copies', async () => {
    const seen: Change[][] = [];
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        await ctx.db.transaction((tx) => {
          tx.insert('items', { id: 1, n: 1 });
          tx.update('items', 1, { n: 2 }); // same row, same transaction: one insert of the final row
          tx.insert('items', { id: 2, n: 5 });
          tx.delete('items', 99); // no such row: no change
        });
        await ctx.db.update('items', 2, { n: 6 });
        await ctx.db.delete('items', 1);
        seen.push(ctx.db.changes());
        seen.push(ctx.db.changes(1, 1));
        seen.push(ctx.db.changes(4));
        const c = ctx.db.changes(0, 1)[0]!;
        c.after!.n = 1000; // a copy
      },
    });
    await s.runUntilQuiescent();
    expect(seen[0]).toEqual([
      { lsn: 1, txId: 1, table: 'items', op: 'insert', key: 1, before: null, after: { id: 1, n: 2 }, at: 0.5 },
      { lsn: 2, txId: 1, table: 'items', op: 'insert', key: 2, before: null, after: { id: 2, n: 5 }, at: 0.5 },
      { lsn: 3, txId: 2, table: 'items', op: 'update', key: 2, before: { id: 2, n: 5 }, after: { id: 2, n: 6 }, at: 1 },
      { lsn: 4, txId: 3, table: 'items', op: 'delete', key: 1, before: { id: 1, n: 2 }, after: null, at: 1.5 },
    ]);
    expect(seen[1]!.map((c) => c.lsn)).toEqual([2]);
    expect(seen[2]).toEqual([]);
    expect(s.changes('svc')[0]!.after).toEqual({ id: 1, n: 2 });
  });

  it('is durable across crashes, and its records line up with the tx-commit trace events', async () => {
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        const boots = ctx.db.changes(0, 1000).length;
        await ctx.db.insert('boots', { id: `${ctx.incarnation}`, sawChanges: boots });
      },
    });
    s.applySchedule([{ at: 5, kind: 'crash', service: 'svc' }, { at: 6, kind: 'restart', service: 'svc' }]);
    await s.runUntilQuiescent();
    expect(s.rows('svc', 'boots')).toEqual([{ id: '1', sawChanges: 0 }, { id: '2', sawChanges: 1 }]);
    const events = s.trace.events();
    for (const c of s.changes('svc')) {
      const e = events[c.traceId]!;
      expect(e.kind).toBe('tx-commit');
      expect(e.t).toBe(c.at);
      expect((e.data as { db: string }).db).toBe('svc');
    }
  });

  it('rejects bad arguments with clear messages and traces foreign reads as ownership violations', async () => {
    const errors: string[] = [];
    const s = sim({}, { name: 'owner', start: (ctx) => void ctx.db.insert('t', { id: 1 }) }, {
      name: 'other',
      async start(ctx) {
        await ctx.sleep(5);
        for (const [a, l] of [[-1, 10], [0.5, 10], [0, 0], [0, 1001], [0, 2.5]] as const) {
          try {
            ctx.db.changes(a, l);
          } catch (e) {
            errors.push(`${(e as Error).name}: ${(e as Error).message}`);
          }
        }
        errors.push(`foreign ${ctx.database('owner').changes().length}`);
      },
    });
    await s.runUntilQuiescent();
    expect(errors.slice(0, 2).every((m) => /afterLsn must be an integer >= 0/.test(m))).toBe(true);
    expect(errors.slice(2, 5).every((m) => /^BadArgument: changes: limit must be an integer from 1 to 1000/.test(m))).toBe(true);
    expect(errors[5]).toBe('foreign 1');
    expect(kinds(s.trace.events(), 'ownership-violation').map((e) => (e.data as { op: string }).op)).toContain('changes');
  });

  it('traceChanges adds per-table counts to tx-commit events; without it the events are as before', async () => {
    const workload = {
      name: 'svc',
      async start(ctx: import('../../src/sim/index.ts').ServiceContext) {
        await ctx.db.transaction((tx) => {
          tx.insert('a', { id: 1 });
          tx.insert('a', { id: 2 });
          tx.put('b', { id: 1 });
        });
        await ctx.db.transaction((tx) => {
          tx.update('a', 1, { x: 1 });
          tx.delete('a', 2);
        });
      },
    };
    const on = sim({ traceChanges: true }, workload);
    const off = sim({}, workload);
    await Promise.all([on.runUntilQuiescent(), off.runUntilQuiescent()]);
    expect(kinds(on.trace.events(), 'tx-commit').map((e) => (e.data as { changes: unknown }).changes)).toEqual([
      { a: { insert: 2, update: 0, delete: 0 }, b: { insert: 1, update: 0, delete: 0 } },
      { a: { insert: 0, update: 1, delete: 1 } },
    ]);
    expect(kinds(off.trace.events(), 'tx-commit').map((e) => e.data)).toEqual([
      { db: 'svc', rows: 3, tables: ['a', 'b'] },
      { db: 'svc', rows: 2, tables: ['a'] },
    ]);
  });
});

describe('preloaded tables', () => {
  it('loads rows before the service starts, as commit 0 in the change log, traced', async () => {
    let atStart: Row[] = [];
    const s = new Simulation({ seed: 1 });
    s.addService({ name: 'store', start: (ctx) => void (atStart = ctx.db.scan('events')) });
    s.preload('store', 'events', [{ eventId: 'e1', v: 1 }, { eventId: 'e2', v: 1 }], { key: 'eventId', unique: [['v', 'eventId']] });
    await s.runUntilQuiescent();
    expect(atStart.map((r) => r.eventId)).toEqual(['e1', 'e2']);
    expect(s.changes('store').map((c) => [c.lsn, c.txId, c.op, c.key])).toEqual([[1, 0, 'insert', 'e1'], [2, 0, 'insert', 'e2']]);
    expect(kinds(s.trace.events(), 'tx-commit')[0]!.data).toEqual({ db: 'store', rows: 2, tables: ['events'], initial: true });
  });

  it('validates preloaded rows like inserts', () => {
    const s = new Simulation({ seed: 1 });
    s.addService({ name: 'store', start: () => undefined });
    expect(() => s.preload('store', 't', [{ id: 1 }, { id: 1 }])).toThrow(/unique constraint violated in store\.t: id = 1/);
    expect(() => s.preload('store', 'u', [{ name: 'x' }])).toThrow(/primary key field "id"/);
    expect(() => s.preload('nobody', 'u', [])).toThrow(/unknown service "nobody"/);
    expect(s.rows('store', 't')).toEqual([]);
  });
});

/** Random writes to two tables (with unique constraints, conflicts, crashes and write failures): the log must rebuild every table. */
function randomWriter(seed: number, schedule: FaultSchedule): Simulation {
  const s = new Simulation({ seed, maxEvents: 200_000 });
  s.addService({
    name: 'db',
    async start(ctx) {
      ctx.db.createTable('people', { unique: [['email']], conflicts: 'first-committer-wins' });
      const op = async (i: number) => {
        const r = ctx.random();
        const id = `p${Math.floor(ctx.random() * 6)}`;
        await ctx.db
          .transaction(async (tx) => {
            if (r < 0.3) tx.insert('people', { id, email: `e${Math.floor(ctx.random() * 4)}`, i });
            else if (r < 0.5) tx.put('people', { id, email: null, i });
            else if (r < 0.65 && tx.get('people', id)) tx.update('people', id, { i });
            else if (r < 0.8) tx.delete('people', id);
            else tx.put('notes', { id: i % 3, text: `note ${i}` });
            if (ctx.random() < 0.3) await ctx.sleep(ctx.random() * 2);
            if (ctx.random() < 0.2) tx.delete('notes', (i + 1) % 3);
          })
          .catch(() => undefined);
      };
      for (let i = 0; i < 40; i++) {
        void op(i);
        await ctx.sleep(ctx.random());
      }
    },
  });
  s.applySchedule(schedule);
  return s;
}

function snapshot(s: Simulation): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const t of s.tables('db')) if (s.rows('db', t).length > 0) out[t] = [...s.rows('db', t)];
  return out;
}

function replayed(s: Simulation, upTo?: number): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const [t, rows] of replayChanges(s.changes('db'), upTo)) if (rows.size > 0) out[t] = [...rows.values()];
  return out;
}

describe('change log properties', () => {
  it('replayed from empty reproduces every table exactly (rows and order), after every commit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 1, max: 30, noNaN: true }), async (seed, crashAt) => {
        const s = randomWriter(seed, [
          { at: crashAt, kind: 'crash', service: 'db' },
          { at: crashAt + 1, kind: 'restart', service: 'db' },
          { at: crashAt / 2, kind: 'db-write-failure', service: 'db', durationMs: 1 },
        ]);
        let last = -1;
        while (await s.step()) {
          // After each commit, time travel to it equals the live tables.
          const n = s.trace.length;
          for (let i = last + 1; i < n; i++) if (s.trace.kindOf(i) === 'tx-commit') expect(replayed(s, i)).toEqual(snapshot(s));
          last = n - 1;
        }
        expect(replayed(s)).toEqual(snapshot(s));
        const lsns = s.changes('db').map((c) => c.lsn);
        expect(lsns).toEqual(lsns.map((_, i) => i + 1));
        // Each record's `before` is the row as the previous record of that row left it.
        const lastAfter = new Map<string, Row | null>();
        for (const c of s.changes('db')) {
          const id = `${c.table}/${c.key}`;
          expect(c.before, `lsn ${c.lsn}`).toEqual(lastAfter.get(id) ?? null);
          lastAfter.set(id, c.after);
        }
      }),
      { numRuns: 30 },
    );
  });
});

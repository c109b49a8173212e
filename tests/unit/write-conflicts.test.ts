import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, type ServiceContext, type TableSpec } from '../../src/sim/index.ts';
import { kinds, sim } from './helpers.ts';

/** `buyers` clients reserve one unit each, concurrently, from a stock of `stock` (read-modify-write with a pause inside the transaction). */
async function reserveRace(spec: TableSpec, buyers: number, stock = 1): Promise<{ results: string[]; s: Simulation }> {
  const results: string[] = [];
  const s = sim({ network: { latency: { kind: 'fixed', ms: 1 } } }, {
    name: 'inventory',
    async start(ctx) {
      ctx.db.createTable('stock', { key: 'sku', ...spec });
      if (!ctx.db.get('stock', 'A')) await ctx.db.insert('stock', { sku: 'A', qty: stock });
      ctx.handle('reserve', async (p: { order: string }) => {
        try {
          await ctx.db.transaction(async (tx) => {
            const row = tx.get<{ sku: string; qty: number }>('stock', 'A')!;
            if (row.qty < 1) throw new Error('out of stock');
            await ctx.sleep(2); // e.g. a pricing lookup: other reservations run meanwhile
            tx.update('stock', 'A', { qty: row.qty - 1 });
            tx.insert('reservations', { id: p.order, sku: 'A' });
          });
          results.push(`${p.order}:ok`);
        } catch (e) {
          results.push(`${p.order}:${(e as Error).name === 'Error' ? (e as Error).message : (e as Error).name}`);
        }
      });
    },
  }, {
    name: 'shop',
    async start(ctx) {
      await ctx.sleep(5);
      for (let i = 0; i < buyers; i++) void ctx.call('inventory', 'reserve', { order: `o${i}` }, { timeoutMs: 100 }).catch(() => undefined);
    },
  });
  await s.runUntilQuiescent();
  return { results, s };
}

describe('write conflicts', () => {
  it('read committed (the default) loses updates: three reservations of the last unit all succeed', async () => {
    const { results, s } = await reserveRace({}, 3);
    expect(results.filter((r) => r.endsWith(':ok'))).toHaveLength(3);
    expect(s.rows('inventory', 'reservations')).toHaveLength(3);
    expect(s.rows('inventory', 'stock')[0]!.qty).toBe(0);
  });

  it('first-committer-wins: exactly one of three concurrent reservations commits, the others get WriteConflict and commit nothing', async () => {
    const { results, s } = await reserveRace({ conflicts: 'first-committer-wins' }, 3);
    expect(results.filter((r) => r.endsWith(':ok'))).toHaveLength(1);
    expect(results.filter((r) => r.endsWith(':WriteConflict'))).toHaveLength(2);
    expect(s.rows('inventory', 'reservations')).toHaveLength(1); // the losers' reservation rows were discarded with them
    expect(s.rows('inventory', 'stock')[0]!.qty).toBe(0);
    const aborts = kinds(s.trace.events(), 'tx-abort').map((e) => (e.data as { reason: string }).reason);
    expect(aborts.filter((r) => /^write conflict in inventory\.stock: the row sku = A was changed/.test(r))).toHaveLength(2);
  });

  it('expect: a conditional update fails at once against a stale read, and at commit when another commit got there first', async () => {
    const out: string[] = [];
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        await ctx.db.insert('accounts', { id: 'a', balance: 100, version: 1 });
        try {
          await ctx.db.update('accounts', 'a', { balance: 50, version: 2 }, { expect: { version: 7 } });
        } catch (e) {
          out.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
        // Two writers both read version 1; the second commit must fail.
        const write = (balance: number) =>
          ctx.db.transaction(async (tx) => {
            const a = tx.get<{ version: number }>('accounts', 'a')!;
            await ctx.sleep(1);
            tx.update('accounts', 'a', { balance, version: a.version + 1 }, { expect: { version: a.version } });
          });
        const results = await Promise.allSettled([write(10), write(20)]);
        out.push(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).name)).join(','));
        try {
          await ctx.db.delete('accounts', 'nope', { expect: { version: 1 } });
        } catch (e) {
          out.push((e as Error).message);
        }
        await ctx.db.delete('accounts', 'a', { expect: { version: 2 } });
        out.push(`rows ${ctx.db.scan('accounts').length}`);
      },
    });
    await s.runUntilQuiescent();
    expect(out[0]).toBe('WriteConflict: write conflict in svc.accounts: expected version = 7 in the row id = a, found 1; nothing was committed');
    expect(out[1]).toBe('ok,WriteConflict');
    expect(out[2]).toMatch(/the row id = nope does not exist/);
    expect(out[3]).toBe('rows 0');
  });

  it('only guards rows the transaction writes: write skew stays possible, as documented', async () => {
    const s = sim({}, {
      name: 'hospital',
      async start(ctx) {
        ctx.db.createTable('doctors', { conflicts: 'first-committer-wins' });
        await ctx.db.transaction((tx) => {
          tx.insert('doctors', { id: 'alice', onCall: true });
          tx.insert('doctors', { id: 'bob', onCall: true });
        });
        const goOff = (me: string) =>
          ctx.db.transaction(async (tx) => {
            const onCall = tx.scan<{ onCall: boolean }>('doctors', { onCall: true }).length;
            await ctx.sleep(1);
            if (onCall >= 2) tx.update('doctors', me, { onCall: false });
          });
        await Promise.all([goOff('alice'), goOff('bob')]);
      },
    });
    await s.runUntilQuiescent();
    expect(s.rows('hospital', 'doctors').filter((d) => d.onCall)).toHaveLength(0);
  });

  it('rejects bad conflict options and a redefinition with a clear message', async () => {
    const errors: string[] = [];
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        const attempts: Array<() => unknown> = [
          () => ctx.db.createTable('t', { conflicts: 'serializable' as never }),
          () => {
            ctx.db.createTable('u');
            ctx.db.createTable('u', { conflicts: 'first-committer-wins' });
          },
          () => ctx.db.transaction((tx) => tx.update('v', 1, {}, { expect: [1] as never })),
        ];
        await ctx.db.insert('v', { id: 1 });
        for (const a of attempts) {
          try {
            await a();
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      },
    });
    await s.runUntilQuiescent();
    expect(errors[0]).toMatch(/conflicts must be "none" or "first-committer-wins"/);
    expect(errors[1]).toMatch(/already exists with a different definition/);
    expect(errors[2]).toMatch(/expect must be an object of field values/);
  });
});

/**
 * Counter workers: each increment reads the counter, pauses a random time
 * inside the transaction, writes counter + 1 and logs the increment in the
 * same transaction; a WriteConflict is retried. An increment that committed
 * and is not in the counter is a lost update.
 */
function counterRace(seed: number, workers: number, increments: number, mode: 'fcw' | 'expect' | 'none'): Simulation {
  const s = new Simulation({ seed, network: { latency: { kind: 'uniform', min: 0.1, max: 3 } }, maxEvents: 500_000 });
  s.addService({
    name: 'counter',
    async start(ctx) {
      ctx.db.createTable('counter', mode === 'fcw' ? { conflicts: 'first-committer-wins' } : {});
      if (!ctx.db.get('counter', 'c')) void ctx.db.insert('counter', { id: 'c', n: 0 }); // committed before the first request arrives
      ctx.handle('inc', async (p: { id: string }) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          try {
            await ctx.db.transaction(async (tx) => {
              const c = tx.get<{ n: number }>('counter', 'c')!;
              await ctx.sleep(ctx.random() * 4);
              tx.update('counter', 'c', { n: c.n + 1 }, mode === 'expect' ? { expect: { n: c.n } } : undefined);
              tx.insert('increments', { id: p.id });
            });
            return 'ok';
          } catch (e) {
            if ((e as Error).name !== 'WriteConflict') throw e;
            await ctx.sleep(ctx.random() * 2);
          }
        }
        return 'gave up';
      });
    },
  });
  for (let w = 0; w < workers; w++) {
    s.addService({
      name: `w${w}`,
      async start(ctx: ServiceContext) {
        await ctx.sleep(1 + ctx.random() * 5);
        for (let i = 0; i < increments; i++) await ctx.call('counter', 'inc', { id: `w${w}-${i}` }, { timeoutMs: 5_000 });
      },
    });
  }
  return s;
}

describe('write-conflict properties', () => {
  const args = [fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 })] as const;

  for (const mode of ['fcw', 'expect'] as const) {
    it(`${mode === 'fcw' ? 'first-committer-wins' : 'expect'} never loses an update under random interleavings`, async () => {
      await fc.assert(
        fc.asyncProperty(...args, async (seed, workers, increments) => {
          const s = counterRace(seed, workers, increments, mode);
          await s.runUntilQuiescent();
          const committed = s.rows('counter', 'increments').length;
          expect(committed).toBe(workers * increments);
          expect(s.rows('counter', 'counter')[0]!.n).toBe(committed);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('without conflict detection the same workload loses updates (the race the properties above rule out is real)', async () => {
    let lost = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const s = counterRace(seed, 3, 3, 'none');
      await s.runUntilQuiescent();
      if (s.rows('counter', 'counter')[0]!.n < s.rows('counter', 'increments').length) lost++;
    }
    expect(lost).toBeGreaterThan(5);
  });
});

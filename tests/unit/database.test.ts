import { describe, expect, it } from 'vitest';
import { sim } from './helpers.ts';

describe('database', () => {
  it('commits atomically, enforces unique constraints, and reads see own writes', async () => {
    const out: Record<string, unknown> = {};
    const s = sim({}, {
      name: 'store',
      async start(ctx) {
        ctx.db.createTable('events', { key: 'eventId', unique: [['aggregateId', 'version']] });
        await ctx.db.transaction((tx) => {
          tx.insert('events', { eventId: 'e1', aggregateId: 'o1', version: 1 });
          out.ownWrite = tx.get('events', 'e1');
          out.scanInTx = tx.scan('events').length;
        });
        try {
          await ctx.db.transaction((tx) => {
            tx.insert('events', { eventId: 'e2', aggregateId: 'o1', version: 2 });
            tx.insert('events', { eventId: 'e3', aggregateId: 'o1', version: 1 }); // duplicate version
          });
        } catch (e) {
          out.error = (e as Error).name;
        }
        out.rows = ctx.db.scan('events').map((r) => r.eventId);
        const row = ctx.db.get('events', 'e1')!;
        row.version = 99; // reads are copies
        out.unchanged = ctx.db.get('events', 'e1')!.version;
        await ctx.db.update('events', 'e1', { note: 'x' });
        out.updated = ctx.db.get('events', 'e1');
        await ctx.db.delete('events', 'e1');
        out.afterDelete = ctx.db.get('events', 'e1');
      },
    });
    await s.runUntilQuiescent();
    expect(out.ownWrite).toEqual({ eventId: 'e1', aggregateId: 'o1', version: 1 });
    expect(out.scanInTx).toBe(1);
    expect(out.error).toBe('UniqueViolation');
    expect(out.rows).toEqual(['e1']); // the failed transaction left nothing behind
    expect(out.unchanged).toBe(1);
    expect(out.updated).toEqual({ eventId: 'e1', aggregateId: 'o1', version: 1, note: 'x' });
    expect(out.afterDelete).toBeUndefined();
  });

  it('lets exactly one of two concurrent writers take a version (checked at commit)', async () => {
    const results: string[] = [];
    const writer = (name: string) => ({
      name,
      async start(ctx: import('../../src/sim/index.ts').ServiceContext) {
        ctx.handle('append', async () => {
          const store = ctx.database('store');
          try {
            await store.transaction((tx) => tx.insert('events', { id: `${name}-1`, aggregateId: 'o1', version: 1 }));
            results.push(`${name}:ok`);
          } catch (e) {
            results.push(`${name}:${(e as Error).name}`);
          }
        });
      },
    });
    const s = sim({}, { name: 'store', start: (ctx) => ctx.db.createTable('events', { unique: [['aggregateId', 'version']] }) }, writer('w1'), writer('w2'), {
      name: 'client',
      start(ctx) {
        void ctx.call('w1', 'append');
        void ctx.call('w2', 'append');
      },
    });
    await s.runUntilQuiescent();
    expect(results.filter((r) => r.endsWith(':ok'))).toHaveLength(1);
    expect(results.filter((r) => r.endsWith(':UniqueViolation'))).toHaveLength(1);
    expect(s.rows('store', 'events')).toHaveLength(1);
    // Reaching into another service's database is traced as the shared-database anti-pattern.
    const violations = s.trace.events().filter((e) => e.kind === 'ownership-violation');
    expect(violations.map((v) => v.service).sort()).toEqual(expect.arrayContaining(['w1', 'w2']));
  });

  it('fails commits during an injected write failure and keeps nothing', async () => {
    let err = '';
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        await ctx.sleep(10);
        try {
          await ctx.db.insert('t', { id: 1 });
        } catch (e) {
          err = (e as Error).name;
        }
      },
    });
    s.applySchedule([{ at: 5, kind: 'db-write-failure', service: 'svc', durationMs: 20 }]);
    await s.runUntilQuiescent();
    expect(err).toBe('DatabaseWriteError');
    expect(s.rows('svc', 't')).toHaveLength(0);
  });

  it('rejects rows without a key and non-JSON values with clear messages', async () => {
    const errors: string[] = [];
    const s = sim({}, {
      name: 'svc',
      async start(ctx) {
        for (const row of [{ name: 'no id' }, { id: 1, when: new Date(0) }]) {
          try {
            await ctx.db.insert('t', row as never);
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      },
    });
    await s.runUntilQuiescent();
    expect(errors[0]).toMatch(/primary key field "id"/);
    expect(errors[1]).toMatch(/Date is not a plain object/);
  });
});

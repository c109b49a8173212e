import { describe, expect, it } from 'vitest';
import { kinds, logs, sim } from './helpers.ts';
import type { ServiceContext } from '../../src/sim/index.ts';

describe('rpc and messages', () => {
  it('answers requests, reports remote errors and missing handlers, and times out', async () => {
    const seen: string[] = [];
    const s = sim({}, {
      name: 'server',
      start(ctx) {
        ctx.handle('add', (p: { a: number; b: number }) => p.a + p.b);
        ctx.handle('fail', () => {
          throw Object.assign(new Error('no rooms left'), { code: 'NO_ROOMS' });
        });
        ctx.handle('slow', async () => {
          await ctx.sleep(1000);
          return 'late';
        });
      },
    }, {
      name: 'client',
      async start(ctx) {
        seen.push(`add=${await ctx.call('server', 'add', { a: 2, b: 3 })}`);
        for (const m of ['fail', 'nope', 'slow']) {
          try {
            await ctx.call('server', m, null, { timeoutMs: 50 });
          } catch (e) {
            const err = e as Error & { remote?: { code?: string } };
            seen.push(`${m}:${err.name}:${err.remote?.code ?? ''}:${err.message}`);
          }
        }
      },
    });
    await s.runUntilQuiescent();
    expect(seen[0]).toBe('add=5');
    expect(seen[1]).toBe('fail:RemoteError:NO_ROOMS:call(server, fail) failed: no rooms left');
    expect(seen[2]).toMatch(/^nope:RemoteError::.*no handler for "nope"/);
    expect(seen[3]).toMatch(/^slow:RpcTimeout::call\(server, slow\) timed out/);
    // The late answer still arrives, and is traced as such.
    expect(kinds(s.trace.events(), 'reply-late')).toHaveLength(1);
  });

  it('drops, duplicates and reorders under a faulty network, deterministically', async () => {
    const run = async (seed: number) => {
      const got: number[] = [];
      const s = sim({ seed, network: { loss: 0.2, duplicate: 0.2, reorder: 0.5, latency: { kind: 'uniform', min: 1, max: 3 } } }, {
        name: 'rx',
        start: (ctx) => ctx.on('n', (n: number) => void got.push(n)),
      }, {
        name: 'tx',
        start(ctx) {
          for (let i = 0; i < 200; i++) ctx.send('rx', 'n', i);
        },
      });
      await s.runUntilQuiescent();
      return { got, digest: s.trace.digest(), events: s.trace.events() };
    };
    const a = await run(3);
    const b = await run(3);
    expect(a.got).toEqual(b.got);
    expect(a.digest).toBe(b.digest);
    expect(kinds(a.events, 'drop').length).toBeGreaterThan(10);
    expect(kinds(a.events, 'duplicate').length).toBeGreaterThan(10);
    expect(a.got.some((n, i) => i > 0 && n < a.got[i - 1]!)).toBe(true); // reordered
    expect(new Set(a.got).size).toBeLessThan(a.got.length); // duplicated
  });

  it('delivers messages as frozen copies: the receiver never shares the sender\'s object', async () => {
    let received: { items: number[] } | undefined;
    const s = sim({}, { name: 'rx', start: (ctx) => ctx.on('m', (p: { items: number[] }) => void (received = p)) }, {
      name: 'tx',
      start(ctx) {
        const payload = { items: [1] };
        ctx.send('rx', 'm', payload);
        payload.items.push(2); // the sender keeps its own, mutable object
      },
    });
    await s.runUntilQuiescent();
    expect(received).toEqual({ items: [1] });
    expect(Object.isFrozen(received)).toBe(true);
  });

  it('refuses non-JSON payloads at the send site', async () => {
    let message = '';
    const s = sim({}, { name: 'rx', start: () => {} }, {
      name: 'tx',
      start(ctx) {
        try {
          ctx.send('rx', 'm', { when: new Date(0) } as never);
        } catch (e) {
          message = (e as Error).message;
        }
      },
    });
    await s.runUntilQuiescent();
    expect(message).toMatch(/send\(rx, m\): payload\.when must be plain JSON/);
  });

  it('lets nothing cross a partition until it heals', async () => {
    const got: number[] = [];
    const s = sim({ network: { latency: { kind: 'fixed', ms: 1 } } }, { name: 'rx', start: (ctx) => ctx.on('n', (n: number) => void got.push(n)) }, {
      name: 'tx',
      async start(ctx: ServiceContext) {
        for (let i = 0; i < 30; i++) {
          ctx.send('rx', 'n', i);
          await ctx.sleep(1);
        }
      },
    });
    s.applySchedule([{ at: 10, kind: 'partition', groups: [['tx'], ['rx']] }, { at: 20, kind: 'heal' }]);
    await s.runUntilQuiescent();
    const delivered = s.trace.events().filter((e) => e.kind === 'deliver').map((e) => e.t);
    expect(delivered.every((t) => t < 10 || t >= 20)).toBe(true);
    expect(got).toContain(5);
    expect(got).toContain(25);
    expect(got).not.toContain(15);
  });

  it('logs through ctx.log into the trace', async () => {
    const s = sim({}, { name: 'svc', start: (ctx) => ctx.log.info('hello', { n: 1 }, 2) });
    await s.runUntilQuiescent();
    expect(logs(s, 'svc')).toEqual(['hello {"n":1} 2']);
  });
});

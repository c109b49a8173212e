import { describe, expect, it } from 'vitest';
import { Simulation, SimError, type ServiceContext } from '../../src/sim/index.ts';
import { Broker } from '../../src/sim/broker.ts';
import { DatabaseStore, TxBuffer } from '../../src/sim/database.ts';
import { Envelope } from '../../src/sim/envelope.ts';
import { FastHash } from '../../src/sim/fast-hash.ts';
import { EventQueue } from '../../src/sim/heap.ts';
import { isolate } from '../../src/sim/json.ts';
import { Network } from '../../src/sim/network.ts';
import { Prng } from '../../src/sim/prng.ts';
import { Trace } from '../../src/sim/trace.ts';
import { kinds, logs, sim } from './helpers.ts';

/**
 * The kernel's learner boundary (src/sim/boundary.ts, context.ts): what service
 * code can reach through `ctx`, callbacks, replies, errors and payloads. Each
 * case is an attack that worked before the boundary existed.
 */

/** One service that runs `body` once and records what it returns (or throws). */
async function probe(body: (ctx: ServiceContext) => unknown | Promise<unknown>, ...others: Parameters<typeof sim>[1][]) {
  let out: unknown;
  const s = sim({}, ...others, {
    name: 'probe',
    async start(ctx) {
      try {
        out = await body(ctx);
      } catch (e) {
        out = { threw: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
    },
  });
  const r = await s.runUntilQuiescent();
  return { out, s, r };
}

const echo = { name: 'echo', start: (ctx: ServiceContext) => ctx.handle('echo', (p: unknown) => p) };

describe('callbacks get this === undefined', () => {
  it('timer, RPC, message, broker, transaction and scan-filter callbacks', async () => {
    const seen: Record<string, unknown> = {};
    const s = sim({}, {
      name: 'svc',
      start(ctx) {
        ctx.db.createTable('t');
        ctx.setTimer(function (this: unknown) { seen.timer = this; }, 1);
        ctx.handle('m', function (this: unknown) { seen.rpc = this; return 1; });
        ctx.on('msg', function (this: unknown) { seen.msg = this; });
        ctx.subscribe('topic', function (this: unknown) { seen.broker = this; });
        void ctx.db.transaction(function (this: unknown, tx) { seen.tx = this; tx.put('t', { id: 1 }); })
          .then(() => ctx.db.scan('t', function (this: unknown) { seen.filter = this; return true; }));
      },
    }, {
      name: 'client',
      async start(ctx) {
        await ctx.sleep(5);
        ctx.send('svc', 'msg', 1);
        await ctx.call('svc', 'm');
        await ctx.publish('topic', 1);
      },
    });
    await s.runUntilQuiescent();
    expect(Object.keys(seen).sort()).toEqual(['broker', 'filter', 'msg', 'rpc', 'timer', 'tx']);
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeUndefined();
  });
});

describe('a returned promise-like never receives kernel closures', () => {
  it('an own `then` on a returned promise is not called with the kernel\'s reply functions', async () => {
    const { out, s } = await probe(async (ctx) => ctx.call('svc', 'm'), {
      name: 'svc',
      start(ctx) {
        ctx.handle('m', () => {
          const p = Promise.resolve('honest');
          (p as { then: unknown }).then = (ok: (v: unknown) => void) => {
            ok('forged-1');
            ok('forged-2');
          };
          return p;
        });
      },
    });
    expect(out).toBe('honest');
    const replies = kinds(s.trace.events(), 'send').filter((e) => (e.data as { kind: string }).kind === 'response');
    expect(replies).toHaveLength(1);
  });

  it('a `then` getter that throws becomes a remote error, not a kernel crash', async () => {
    const { out, r } = await probe(async (ctx) => ctx.call('svc', 'm'), {
      name: 'svc',
      start(ctx) {
        ctx.handle('m', () => ({ get then() { throw new Error('trap'); } }));
      },
    });
    expect(r.reason).toBe('quiescent');
    expect(out).toEqual({ threw: expect.stringMatching(/^RemoteError: .*trap/) });
  });
});

describe('errors handed to service code', () => {
  it('are fresh intrinsic errors: no kernel class, prototype or constructor to patch', async () => {
    const { out } = await probe((ctx) => {
      try {
        ctx.send('nobody', 'x');
      } catch (e) {
        return e;
      }
    });
    const err = out as Error & { code: string };
    expect(err).toBeInstanceOf(SimError);
    expect(err.name).toBe('BadArgument');
    expect(err.code).toBe('BadArgument');
    expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
    expect(err.constructor).toBe(Error);
    expect(Object.isFrozen(SimError)).toBe(true);
    expect(() => new SimError('BadArgument', 'x')).not.toThrow();
  });

  it('clip long messages and give RemoteError its own frozen copy of the remote error', async () => {
    const { out, s } = await probe(async (ctx) => {
      try {
        await ctx.call('svc', 'm');
      } catch (e) {
        return e;
      }
    }, {
      name: 'svc',
      start(ctx) {
        ctx.handle('m', () => {
          throw Object.assign(new Error('x'.repeat(20_000)), { code: 'C'.repeat(5000) });
        });
      },
    });
    const err = out as Error & { remote: { name: string; message: string; code: string } };
    expect(err.name).toBe('RemoteError');
    expect(err.message.length).toBeLessThanOrEqual(501);
    expect(err.remote.code.length).toBeLessThanOrEqual(101);
    expect(Object.isFrozen(err.remote)).toBe(true);
    const reply = kinds(s.trace.events(), 'send').find((e) => (e.data as { kind: string }).kind === 'response')!;
    const traced = (reply.data as { payload: { error: object } }).payload.error;
    expect(err.remote).toEqual(traced);
    expect(err.remote).not.toBe(traced);
  });

  it('an error\'s `code` getter is never run by the kernel (nothing but data reaches the reply)', async () => {
    let ran = 0;
    const { out } = await probe(async (ctx) => {
      try {
        await ctx.call('svc', 'm');
      } catch (e) {
        return (e as { remote: unknown }).remote;
      }
    }, {
      name: 'svc',
      start(ctx) {
        ctx.handle('m', () => {
          throw Object.defineProperty(new Error('boom'), 'code', { get() { ran++; return ran > 1 ? { toJSON: () => 'planted' } : 'ok'; } });
        });
      },
    });
    expect(ran).toBe(0);
    expect(out).toEqual({ name: 'Error', message: 'boom' });
  });
});

describe('values crossing in and out are copies of plain data', () => {
  it('a reply is the caller\'s own copy, not the object the trace keeps', async () => {
    const { out, s } = await probe(async (ctx) => ctx.call('echo', 'echo', { a: [1] }), echo);
    const reply = kinds(s.trace.events(), 'send').find((e) => (e.data as { kind: string }).kind === 'response')!;
    const traced = (reply.data as { payload: { value: unknown } }).payload.value;
    expect(out).toEqual({ a: [1] });
    expect(out).not.toBe(traced);
    expect((out as { a: unknown }).a).not.toBe((traced as { a: unknown }).a);
    expect(Object.isFrozen(out)).toBe(true);
  });

  it('duplicates of one message are distinct objects (no recognising a redelivery by identity)', async () => {
    const got: unknown[] = [];
    const s = sim({ network: { duplicate: 1 } }, {
      name: 'rx',
      start: (ctx) => ctx.on('m', (p: unknown) => void got.push(p)),
    }, { name: 'tx', start: (ctx) => ctx.send('rx', 'm', { n: 1 }) });
    await s.runUntilQuiescent();
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual(got[1]);
    expect(got[0]).not.toBe(got[1]);
  });

  it('getters are refused at the call site and never run; a Proxy\'s traps run only during the call', async () => {
    let getterRuns = 0;
    let traps = 0;
    const target = { a: 1 };
    const proxy = new Proxy(target, {
      ownKeys(t) { traps++; return Reflect.ownKeys(t); },
      getOwnPropertyDescriptor(t, k) { traps++; return Reflect.getOwnPropertyDescriptor(t, k); },
      get(t, k, r) { traps++; return Reflect.get(t, k, r); },
      getPrototypeOf(t) { traps++; return Reflect.getPrototypeOf(t); },
    });
    let trapsAfterSend = -1;
    const { out, s } = await probe(async (ctx) => {
      const refused = (() => {
        try {
          ctx.send('echo', 'x', { get secret() { getterRuns++; return 1; } });
          return 'sent';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      const reply = await ctx.call('echo', 'echo', proxy);
      trapsAfterSend = traps;
      return { refused, reply };
    }, echo);
    s.trace.fingerprint();
    s.trace.digest();
    expect(getterRuns).toBe(0);
    expect((out as { refused: string }).refused).toMatch(/payload\.secret must be plain JSON — a getter/);
    expect((out as { reply: unknown }).reply).toEqual({ a: 1 });
    expect(trapsAfterSend).toBeGreaterThan(0);
    expect(traps).toBe(trapsAfterSend);
  });

  it('a "__proto__" key stays data: the copy\'s prototype is Object.prototype', () => {
    const c = isolate(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'), 'w') as Record<string, unknown>;
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(c.polluted).toBeUndefined();
    expect(Object.keys(c)).toEqual(['__proto__', 'a']);
  });

  it('is bounded in size', () => {
    expect(() => isolate({ s: 'x'.repeat(5 * 1024 * 1024) }, 'send(a, b)')).toThrow(/larger than 4 MB/);
    expect(() => isolate(new Array(5_000_000).fill(0), 'w')).toThrow(/too large|larger than/);
  });

  it('rows a scan filter sees are frozen copies, never the committed (judge-visible) rows; results are the caller\'s own', async () => {
    const seen: object[] = [];
    let results: { v: string }[] = [];
    const { s } = await probe(async (ctx) => {
      await ctx.db.put('t', { id: 1, v: 'kept' });
      results = ctx.db.scan('t', (r: { v: string }) => {
        seen.push(r);
        return true;
      });
    });
    const stored = s.rows('probe', 't');
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe(stored[0]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(results[0]).not.toBe(seen[0]);
    results[0]!.v = 'mine';
    expect(stored[0]).toEqual({ id: 1, v: 'kept' });
  });
});

describe('the change log and write options', () => {
  it('changes() hands out copies of the log (the judge replays the kernel\'s own records)', async () => {
    let got: { after: { v: string } | null }[] = [];
    const { s } = await probe(async (ctx) => {
      await ctx.db.put('t', { id: 1, v: 'a' });
      got = ctx.db.changes() as never;
    });
    const log = s.changes('probe');
    expect(got).toHaveLength(1);
    expect(got[0]!.after).toEqual(log[0]!.after);
    expect(got[0]!.after).not.toBe(log[0]!.after);
  });

  it('write options are read once, as data: a getter in `expect` is refused and never runs', async () => {
    let ran = 0;
    const { out } = await probe(async (ctx) => {
      await ctx.db.put('t', { id: 1, v: 1 });
      try {
        await ctx.db.update('t', 1, { v: 2 }, { get expect() { ran++; return { v: 1 }; } } as never);
        return 'updated';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(out).toBe('NotJson');
    expect(ran).toBe(0);
  });
});

describe('arguments are validated before anything runs', () => {
  it('names must be bounded strings: objects with toString/toJSON are refused without being called', async () => {
    let called = 0;
    const hostile = { toString() { called++; return 'm'; }, toJSON() { called++; return 'm'; } };
    const { out, s } = await probe((ctx) => {
      const tries: string[] = [];
      for (const f of [
        () => ctx.call('echo', hostile as never),
        () => ctx.send(hostile as never, 'x'),
        () => ctx.send('echo', hostile as never),
        () => ctx.handle('x'.repeat(500), () => 1),
        () => ctx.db.get(hostile as never, 1),
        () => ctx.db.get('t', hostile as never),
        () => ctx.database(hostile as never),
        () => ctx.publish('t', 1, { key: hostile as never }),
        () => ctx.call('echo', 'echo', 1, { timeoutMs: Infinity }),
      ]) {
        try {
          f();
          tries.push('accepted');
        } catch (e) {
          tries.push((e as Error).name);
        }
      }
      return tries;
    }, echo);
    expect(out).toEqual(new Array(9).fill('BadArgument'));
    expect(called).toBe(0);
    s.trace.fingerprint();
    expect(called).toBe(0);
  });

  it('a table spec is read once, as data', async () => {
    let ran = 0;
    const { out } = await probe((ctx) => {
      try {
        ctx.db.createTable('t', { get key() { ran++; return 'id'; } });
        return 'created';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(out).toBe('NotJson');
    expect(ran).toBe(0);
  });
});

describe('logs', () => {
  it('are bounded text built without running getters, toJSON, toString or proxy traps later', async () => {
    let ran = 0;
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const { s, r } = await probe((ctx) => {
      ctx.log.info('a', { get x() { ran++; return 1; }, toJSON() { ran++; return 'j'; } }, revoked.proxy, Object.assign(new Error('e'), {}), 'y'.repeat(10_000));
      ctx.log.warn(function named() {});
    });
    expect(r.reason).toBe('quiescent');
    expect(ran).toBe(0);
    const [first, second] = logs(s, 'probe');
    expect(first).toMatch(/^a \{"x":"\[Getter\]","toJSON":"\[Function\]"\} \[object\] Error: e y+/);
    expect(first!.length).toBeLessThanOrEqual(2001);
    expect(second).toBe('function named');
  });
});

describe('what service code holds is frozen', () => {
  it('ctx, db, tx and log are frozen objects of frozen functions that print as native code', async () => {
    const { out } = await probe(async (ctx) => {
      let txFrozen = false;
      await ctx.db.transaction((tx) => {
        txFrozen = Object.isFrozen(tx) && Object.isFrozen(tx.put);
      });
      return {
        frozen: [ctx, ctx.db, ctx.log, ctx.call, ctx.db.get, ctx.log.info, ctx.setTimer].every((o) => Object.isFrozen(o)),
        txFrozen,
        source: String(ctx.call),
      };
    });
    expect(out).toEqual({ frozen: true, txFrozen: true, source: 'function () { [native code] }' });
  });

  it('kernel classes and prototypes are frozen (defence in depth: they are unreachable)', () => {
    for (const C of [Simulation, Trace, DatabaseStore, TxBuffer, Prng, EventQueue, Network, Broker, Envelope, FastHash]) {
      expect(Object.isFrozen(C), C.name).toBe(true);
      expect(Object.isFrozen(C.prototype), C.name).toBe(true);
    }
  });
});


import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Prng } from '../../src/sim/prng.ts';
import { EventQueue } from '../../src/sim/heap.ts';
import { canonicalJson, isolate } from '../../src/sim/json.ts';

describe('Prng', () => {
  it('is a pure function of (seed, stream)', () => {
    fc.assert(fc.property(fc.integer(), fc.string(), (seed, stream) => {
      const a = new Prng(seed, stream);
      const b = new Prng(seed, stream);
      for (let i = 0; i < 20; i++) expect(a.nextU32()).toBe(b.nextU32());
    }));
  });
  it('gives different streams for different names and seeds', () => {
    expect(new Prng(1, 'network').next()).not.toBe(new Prng(1, 'nemesis').next());
    expect(new Prng(1).next()).not.toBe(new Prng(2).next());
  });
  it('stays in [0, 1) and is roughly uniform', () => {
    const r = new Prng(99);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]++;
    }
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(600);
  });
  it('makes RFC 4122 v4-shaped ids', () => {
    expect(new Prng(5).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('EventQueue', () => {
  it('stays ordered when pushes interleave with pops (slots are reused)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 50 })), { maxLength: 400 }), (ops) => {
      const q = new EventQueue();
      const model: Array<[number, number]> = [];
      let id = 0;
      for (const [isPush, t] of ops) {
        if (isPush || model.length === 0) {
          q.push(t, 1, id, null);
          model.push([t, id++]);
          model.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        } else {
          const e = q.pop()!;
          expect([e.t, e.a]).toEqual(model.shift());
          q.recycle(e);
        }
      }
      expect(q.size).toBe(model.length);
    }));
  });

  it('pops in (time, insertion) order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
      const q = new EventQueue();
      times.forEach((t, i) => q.push(t, 0, i, null));
      const out: Array<[number, number]> = [];
      for (let e = q.pop(); e; e = q.pop()) {
        out.push([e.t, e.a as number]);
        q.recycle(e);
      }
      const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      expect(out).toEqual(expected);
    }));
  });
});

describe('isolate', () => {
  it('copies and freezes objects, leaving the original mutable', () => {
    const orig = { a: [1, { b: 2 }], s: 'x' };
    const c = isolate(orig, 'test');
    expect(c).toEqual(orig);
    expect(c).not.toBe(orig);
    expect(Object.isFrozen(c) && Object.isFrozen(c.a) && Object.isFrozen(c.a[1])).toBe(true);
    orig.s = 'changed';
    expect(c.s).toBe('x');
  });
  it('rejects what is not plain JSON, naming the path', () => {
    expect(() => isolate({ f: () => 1 }, 'send(x)')).toThrow(/send\(x\): payload\.f must be plain JSON — a function/);
    expect(() => isolate({ d: new Date(0) }, 'w')).toThrow(/payload\.d .*Date is not a plain object/);
    expect(() => isolate([1, NaN], 'w')).toThrow(/payload\[1\].*NaN/);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => isolate(cyc, 'w')).toThrow(/nested too deeply/);
    expect(() => isolate(new Map(), 'w')).toThrow(/Map is not a plain object/);
  });
  it('drops undefined fields like JSON does', () => {
    expect(isolate({ a: 1, b: undefined }, 'w')).toEqual({ a: 1 });
  });
});

describe('canonicalJson', () => {
  it('sorts keys so equal values have one text', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('trace digest', () => {
  it('equals the SHA-256 of the canonical JSON lines of the events', async () => {
    const { Simulation, canonicalJson } = await import('../../src/sim/index.ts');
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { bytesToHex } = await import('@noble/hashes/utils.js');
    const s = new Simulation({ seed: 4, network: { loss: 0.2, duplicate: 0.2 } });
    s.addService({ name: 'a', start: (ctx) => ctx.handle('x', (p) => ({ echo: p, nested: { z: 1, a: [true, null] } })) });
    s.addService({ name: 'b', start: async (ctx) => { await ctx.call('a', 'x', { k: 'v' }).catch(() => null); ctx.log.warn('done'); await ctx.db.insert('t', { id: 1 }); } });
    await s.runUntilQuiescent();
    const text = s.trace.events().map((e) => canonicalJson(e) + '\n').join('');
    expect(s.trace.digest()).toBe(bytesToHex(sha256(new TextEncoder().encode(text))));
  });
});

describe('trace fingerprint', () => {
  it('is equal for equal runs and differs when anything in the run differs', async () => {
    const { Simulation } = await import('../../src/sim/index.ts');
    const run = async (seed: number, payload: unknown) => {
      const s = new Simulation({ seed, network: { loss: 0.1 } });
      s.addService({ name: 'a', start: (ctx) => ctx.on('m', (p) => ctx.log.info(JSON.stringify(p))) });
      s.addService({ name: 'b', start: (ctx) => { for (let i = 0; i < 20; i++) ctx.send('a', 'm', payload); } });
      await s.runUntilQuiescent();
      return s.trace.fingerprint();
    };
    const base = await run(1, { x: 1 });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(await run(1, { x: 1 })).toBe(base);
    expect(await run(2, { x: 1 })).not.toBe(base);
    expect(await run(1, { x: 2 })).not.toBe(base);
  });
});

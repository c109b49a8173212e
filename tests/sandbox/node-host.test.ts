import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileOk } from '../../src/sandbox/compile.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import type { SandboxHost } from '../../src/sandbox/protocol.ts';
import type { RealmStashJob, TestJob, TestResult } from './test-worker.ts';

const entry = new URL('./test-worker.ts', import.meta.url);
const good = readFileSync(new URL('./fixtures/good.ts', import.meta.url), 'utf8');

function compiled(src: string, file = 'learner.ts', loopGuard = true): CompileOk {
  const r = compile(src, file, { loopGuard });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r;
}

let host: SandboxHost;
beforeAll(async () => {
  host = createNodeHost({ workerEntry: entry, wallClockMs: 1500, memoryMb: 96 });
  await host.warmUp();
});
afterAll(() => host.close());

async function run(src: string | CompileOk, seed = 1, extra: Partial<TestJob> = {}) {
  const job: TestJob = { compiled: typeof src === 'string' ? compiled(src) : src, exportName: 'service', seed, maxEvents: 50_000, ...extra };
  const o = await host.run<TestJob, TestResult>(job);
  if (!o.ok) throw new Error(`${o.kind}: ${o.message}`);
  return o.result;
}

describe('Node host + SES module factory', () => {
  it('deterministic globals: same seed gives identical values and trace; another seed differs', async () => {
    const a = await run(compiled(good, 'good.ts'), 7);
    const b = await run(compiled(good, 'good.ts'), 7);
    const c = await run(compiled(good, 'good.ts'), 8);
    expect(a.reply?.value).toBeDefined();
    expect(b.reply?.value).toEqual(a.reply?.value);
    expect(b.digest).toBe(a.digest);
    expect(c.reply?.value).not.toEqual(a.reply?.value);
    const v = a.reply!.value as { calls: number; now: number; date: string; ticks: number[]; uuid: string; bytes: number[] };
    expect(v.calls).toBe(1); // module state is fresh per run
    expect(v.now).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1)); // virtual epoch, not the host clock
    expect(v.now).toBeLessThan(Date.UTC(2025, 0, 2));
    expect(new Date(v.date).getTime()).toBe(v.now);
    expect(v.ticks).toHaveLength(3);
    expect(v.ticks[1]! - v.ticks[0]!).toBeCloseTo(10, 6); // setInterval on virtual time
    expect(v.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.logs.length).toBeGreaterThan(0); // console.log reaches ctx.log
  });

  it('Date is virtual and time-zone independent (local-time methods read UTC)', async () => {
    const src = `export function service(ctx: any) {
      ctx.handle('ping', async () => {
        await ctx.sleep(1000);
        const d = new Date();
        const e = new Date(2025, 5, 15, 13, 30);
        return [d.getTime() - Date.UTC(2025, 0, 1), d.getTimezoneOffset(), d.getHours(), String(d), e.toISOString(), e.getHours(),
          new Date('2025-03-01T10:00').toISOString(), d instanceof Date, typeof Date(), performance.now() >= 1000];
      });
    }`;
    const r = await run(src);
    const v = r.reply?.value as unknown[];
    expect(v[0]).toBeGreaterThanOrEqual(1000);
    expect(v[0]).toBeLessThan(2000);
    expect(v.slice(1)).toEqual([0, 0, expect.stringMatching(/^Wed Jan 01 2025 00:00:0\d GMT\+0000 \(Coordinated Universal Time\)$/), '2025-06-15T13:30:00.000Z', 13, '2025-03-01T10:00:00.000Z', true, 'string', true]);
  });

  it('maps stack traces of learner exceptions to learner lines (sync, nested and async)', async () => {
    const src = [
      "import type { ServiceContext } from './api';", // 1
      'function inner(n: number): number {', // 2
      "  if (n > 1) throw new TypeError('bad n ' + n);", // 3
      '  return n;', // 4
      '}', // 5
      'export function service(ctx: ServiceContext) {', // 6
      '  inner(1);', // 7
      "  ctx.setTimer(async () => { await ctx.sleep(1); inner(5); }, 1);", // 8
      '  return inner(2);', // 9
      '}', // 10
    ].join('\n');
    const r = await run(compiled(src, 'stack.ts'));
    const start = r.errors.find((e) => /start/.test(e.where ?? ''));
    expect(start?.message).toMatch(/^TypeError: bad n 2 \(stack\.ts:3:/);
    expect(start?.line).toBe(3);
    expect(start?.stack).toMatch(/at inner \(stack\.ts:3:\d+\)\n\s+at service \(stack\.ts:9:\d+\)/);
    expect(start?.stack).not.toMatch(/node_modules|src\/sim|file:/); // host frames dropped
  });

  it('a synchronous hang without loops is killed by the wall clock; the next job runs in a fresh worker; the host stays responsive', async () => {
    const hang = compiled("export function service(ctx: any) { ctx.handle('ping', () => { let x = 0; while (true) { x++; } }); }", 'hang.ts', false);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const messages: unknown[] = [];
    const t0 = performance.now();
    const o = await host.run<TestJob, TestResult>({ compiled: hang, exportName: 'service', seed: 1 }, { wallClockMs: 800, onMessage: (m) => messages.push(m) });
    clearInterval(ticker);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.kind).toBe('timeout');
    expect(o.message).toMatch(/800 ms.*\/ .*800 мс/);
    expect(o.lastMessage).toEqual({ type: 'progress', phase: 'run', seed: 1 });
    expect(messages).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(10); // the host's event loop kept running
    const next = await run(compiled(good, 'good.ts'));
    expect(next.reply?.value).toBeDefined();
  });

  it('the loop guard counts one synchronous turn only: long but yielding work passes', async () => {
    const src = `export function service(ctx: any) {
      ctx.handle('ping', async () => {
        let s = 0;
        for (let k = 0; k < 4; k++) { for (let i = 0; i < 3_000_000; i++) s += i % 3; await ctx.sleep(1); }
        return s;
      });
    }`;
    const r = await run(src);
    expect(r.reply).toEqual({ value: 12_000_000 });
  });

  it('aborting a job kills it and the host keeps working', async () => {
    const hang = compiled("export function service(ctx: any) { ctx.handle('ping', () => { while (true) {} }); }", 'hang.ts', false);
    const ac = new AbortController();
    const p = host.run<TestJob, TestResult>({ compiled: hang, exportName: 'service', seed: 1 }, { signal: ac.signal, onMessage: () => ac.abort() });
    const o = await p;
    expect(o).toMatchObject({ ok: false, kind: 'aborted' });
    expect((await run(compiled(good, 'good.ts'))).reply?.value).toBeDefined();
  });

  it('TypeScript fidelity: namespaces, enums, decorators, using, parameter properties, private fields, async generators', async () => {
    const src = `namespace N { export const v = 2; }
enum E { A = 1, B }
const enum K { X = 4 }
function times10(t: any, _c: ClassMethodDecoratorContext) { return function (this: any, ...a: any[]) { return t.apply(this, a) * 10; }; }
class C { @times10 m() { return 1; } }
function disposed() { let d = 0; { using _x = { [Symbol.dispose]() { d++; } }; } return d; }
class P { constructor(private readonly a: number) {} get() { return this.a; } }
class Priv { #x = 5; static s = 3; get x() { return this.#x; } }
async function* gen() { yield 1; yield 2; }
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    const g: number[] = [];
    for await (const x of gen()) g.push(x);
    return { n: N.v, e: E.B, k: K.X, dec: new C().m(), using: disposed(), p: new P(7).get(), priv: new Priv().x + Priv.s, g };
  });
}`;
    const r = await run(src);
    expect(r.reply).toEqual({ value: { n: 2, e: 2, k: 4, dec: 10, using: 1, p: 7, priv: 8, g: [1, 2] } });
  });

  it('escape attempts find no host capability inside the compartment', async () => {
    const src = `export function service(ctx: any) {
      ctx.handle('ping', () => {
        const out: Record<string, string> = {};
        const g = globalThis as any;
        for (const k of ['process', 'require', 'module', 'fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'Buffer', 'global', 'localStorage', 'indexedDB', 'document', 'postMessage', 'self', 'SharedArrayBuffer']) out[k] = typeof g[k];
        const attempt = (name: string, f: () => unknown) => { try { out[name] = 'ok:' + typeof f(); } catch (e: any) { out[name] = 'threw:' + (e && e.name); } };
        attempt('ctorEscape', () => ctx.handle.constructor('return process')());
        attempt('fnEscape', () => (function () {}).constructor('return process')());
        attempt('asyncFnEscape', () => Object.getPrototypeOf(async function () {}).constructor('return process')());
        attempt('genFnEscape', () => Object.getPrototypeOf(function* () {}).constructor('return process')().next());
        attempt('evalProcess', () => (0, eval)('typeof process === "undefined" ? undefined : process'));
        attempt('prepareStackTrace', () => { (Error as any).prepareStackTrace = (_e: unknown, cs: any[]) => cs; const s: any = new Error().stack; return Array.isArray(s) ? s[1].getThis() : undefined; });
        attempt('patchJSON', () => { (JSON as any).parse = () => 1; return JSON.parse('2') === 1 ? 'patched' : undefined; });
        attempt('patchPromise', () => { (Promise.prototype as any).then = () => 0; });
        attempt('ctxMutate', () => { ctx.service = 'x'; });
        attempt('dbMutate', () => { ctx.db.get = () => 1; });
        return out;
      });
    }`;
    const r = await run(src);
    const out = r.reply?.value as Record<string, string>;
    for (const k of ['process', 'require', 'module', 'fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'Buffer', 'global', 'localStorage', 'indexedDB', 'document', 'postMessage', 'self', 'SharedArrayBuffer']) {
      expect(out[k], k).toBe('undefined');
    }
    expect(out.ctorEscape).toBe('threw:TypeError');
    expect(out.fnEscape).toBe('threw:TypeError');
    expect(out.asyncFnEscape).toBe('threw:TypeError');
    expect(out.genFnEscape).toBe('threw:TypeError');
    expect(out.evalProcess).toBe('ok:undefined');
    expect(out.prepareStackTrace).toBe('ok:undefined');
    expect(out.patchJSON).toBe('threw:TypeError');
    expect(out.patchPromise).toBe('threw:TypeError');
    expect(out.ctxMutate).toBe('threw:TypeError');
    expect(out.dbMutate).toBe('threw:TypeError');
  });
});

describe('fresh worker per job', () => {
  it('what a job leaves in its worker realm (outside any compartment) is gone for the next job', async () => {
    // Stands for a learner that escaped the compartment and poisoned its worker: the next job must not see it.
    const h = createNodeHost({ workerEntry: entry, wallClockMs: 5000, memoryMb: 64 });
    try {
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const o = await h.run<RealmStashJob, unknown>({ kind: 'realm-stash', value: `job ${i}` });
        expect(o.ok).toBe(true);
        if (o.ok) seen.push(o.result);
      }
      expect(seen).toEqual([null, null, null]);
      expect(h.stats.workersStarted).toBeGreaterThanOrEqual(3);
    } finally {
      await h.close();
    }
  });

  it('a spare is started when a job ends, so the next job does not wait for a worker start', async () => {
    const h = createNodeHost({ workerEntry: entry, wallClockMs: 5000, memoryMb: 64 });
    try {
      await h.warmUp(); // the spare is ready
      expect(h.stats.workersStarted).toBe(1);
      const t0 = performance.now();
      const o = await h.run<RealmStashJob, unknown>({ kind: 'realm-stash', value: 1 });
      const first = performance.now() - t0;
      expect(o.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(h.stats.workersStarted).toBe(2); // the next job's worker, started when this one ended
      // The job did not wait for a worker start (one start takes ~140-250 ms; generous for a loaded machine).
      expect(first).toBeLessThan(h.stats.lastStartupMs + 2000);
    } finally {
      await h.close();
    }
  });
});

describe('Node host worker entries', () => {
  it('an entry that uses import.meta.url runs unbundled (tsx) and sees its real location', async () => {
    const h = createNodeHost({ workerEntry: new URL('./fixtures/meta-worker.ts', import.meta.url), wallClockMs: 5000, memoryMb: 64 });
    try {
      const o = await h.run<null, string>(null);
      expect(o).toMatchObject({ ok: true });
      if (o.ok) expect(o.result).toMatch(/tests\/sandbox\/fixtures\/meta-worker\.ts$/);
    } finally {
      await h.close();
    }
  });

  it('a handler that throws ends as crashed and the next job is served', async () => {
    const h = createNodeHost({ workerEntry: entry, wallClockMs: 5000, memoryMb: 64 });
    try {
      const bad = await h.run<unknown, unknown>({ compiled: null, exportName: 'nope', seed: 1 });
      expect(bad).toMatchObject({ ok: false, kind: 'crashed' });
      if (!bad.ok) expect(bad.message).toMatch(/TypeError/);
      const good2 = await h.run<TestJob, TestResult>({ compiled: compiled(good, 'good.ts'), exportName: 'service', seed: 1 });
      expect(good2.ok && good2.result.reply?.value).toBeTruthy();
    } finally {
      await h.close();
    }
  });
});


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileOk } from '../../src/sandbox/compile.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import type { SandboxHost } from '../../src/sandbox/protocol.ts';
import type { TestJob, TestResult } from './test-worker.ts';

/**
 * What learner code can observe or keep in the sandbox realm, across jobs of
 * one worker and across host call paths (tests/hostile has one case per
 * attack; these need two jobs or two hosts).
 */
let host: SandboxHost;
beforeAll(async () => {
  host = createNodeHost({ workerEntry: new URL('./test-worker.ts', import.meta.url), wallClockMs: 3000, memoryMb: 96 });
  await host.warmUp();
});
afterAll(() => host.close());

function compiled(src: string, file = 'learner.ts', allowedModules: string[] = []): CompileOk {
  const r = compile(src, file, { allowedModules });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r;
}

async function run(src: string, extra: Partial<TestJob> = {}): Promise<TestResult> {
  const o = await host.run<TestJob, TestResult>({ compiled: compiled(src), exportName: 'service', seed: 1, maxEvents: 50_000, ...extra });
  if (!o.ok) throw new Error(`${o.kind}: ${o.message}`);
  return o.result;
}

/** Every Error constructor and shared object learner code can reach, and what it reads from them. */
const READ_REALM = `
  function reachable(ctx: any) {
    let err: any;
    try { ctx.send('nobody-here', 'x'); } catch (e) { err = e; }
    const ctors = new Set<any>([Error, TypeError, RangeError]);
    for (let c = err && err.constructor; c; c = Object.getPrototypeOf(c)) ctors.add(c);
    const shared = [Object.getPrototypeOf(err), Object.getPrototypeOf(Date.prototype), (globalThis as any).Date, globalThis, require];
    return { ctors: [...ctors], shared };
  }
  function deepStackFrames(n: number): number { return n === 0 ? (String(new Error('x').stack).match(/\\n\\s+at /g) ?? []).length : deepStackFrames(n - 1); }
`;

describe('nothing carries over from one job to the next in a worker', () => {
  it('stack settings and marks written by one job are not seen by the next', async () => {
    const writer = `${READ_REALM}
      export function service(ctx: any) {
        ctx.handle('ping', () => {
          const { ctors, shared } = reachable(ctx);
          for (const c of ctors) {
            try { c.stackTraceLimit = 2; } catch {}
            try { c.prepareStackTrace = () => 'HIJACKED'; } catch {}
          }
          for (const o of shared) { try { o.__mdlCarried = 'job 1'; } catch {} }
          return 'written';
        });
      }`;
    const reader = `${READ_REALM}
      export function service(ctx: any) {
        ctx.handle('ping', () => {
          const { ctors, shared } = reachable(ctx);
          return {
            limits: ctors.map((c) => c.stackTraceLimit ?? null),
            carried: shared.map((o) => (o && o.__mdlCarried) ?? null),
            frames: deepStackFrames(12),
            hijacked: /HIJACKED/.test(String(new Error('y').stack)),
          };
        });
      }`;
    const before = await run(reader);
    expect((await run(writer)).reply).toEqual({ value: 'written' });
    const after = await run(reader);
    expect(after.reply).toEqual(before.reply);
    const v = after.reply!.value as { limits: unknown[]; carried: unknown[]; frames: number; hijacked: boolean };
    expect(v.carried.every((c) => c === null)).toBe(true);
    expect(v.frames).toBeGreaterThanOrEqual(10);
    expect(v.hijacked).toBe(false);
  });
});

describe('the host call path is invisible to learner code', () => {
  const observer = `
    export function service(ctx: any) {
      const startStack = String(new Error('start').stack);
      ctx.handle('ping', async () => {
        const sync = String(new Error('handler').stack);
        let kernel = '';
        try { ctx.send('nobody-here', 'x'); } catch (e: any) { kernel = String(e.stack); }
        await ctx.sleep(1);
        return { startStack, sync, kernel, later: String(new Error('later').stack) };
      });
    }`;

  it('a deeper host stack changes neither what learner code sees nor the trace', async () => {
    const shallow = await run(observer);
    const deep = await run(observer, { hostDepth: 7 });
    expect(deep.reply).toEqual(shallow.reply);
    expect(deep.digest).toBe(shallow.digest);
    const v = shallow.reply!.value as Record<string, string>;
    for (const s of Object.values(v)) {
      for (const line of s.split('\n').slice(1)) expect(line).toMatch(/^ {4}at .*learner:\/\/\/learner\.ts:\d+:\d+\)?$/);
    }
    // One frame: the learner's own (in generated-JS positions); no host frame below it.
    expect(v.startStack).toMatch(/^Error: start\n {4}at service \(learner:\/\/\/learner\.ts:\d+:\d+\)$/);
  });

  it('the kernel ctx and the grading facade look the same to learner code', async () => {
    const raw = await run(observer);
    const facade = await run(observer, { facade: true });
    expect(facade.reply).toEqual(raw.reply);
  });

  it('functions of a host module (the learner runtime\'s error guards) print as native code and work', async () => {
    const src = `import { isRpcTimeout, isSimError } from '@mdl/test';
      export function service(ctx: any) {
        ctx.handle('ping', async () => {
          let guarded = false;
          try { await ctx.call('other', 'nothing', 1, { timeoutMs: 100 }); } catch (e) { guarded = isSimError(e, 'RemoteError') && !isRpcTimeout(e); }
          return { guarded, sources: [String(isRpcTimeout), String(isSimError)], frozen: Object.isFrozen(isSimError) };
        });
      }`;
    const o = await host.run<TestJob, TestResult>({ compiled: compiled(src, 'learner.ts', ['@mdl/test']), exportName: 'service', seed: 1, maxEvents: 50_000, runtimeModule: true });
    if (!o.ok) throw new Error(o.message);
    expect(o.result.reply).toEqual({ value: { guarded: true, sources: ['function () { [native code] }', 'function () { [native code] }'], frozen: true } });
  });

  it('a kernel error still points at the learner line that caused it', async () => {
    const r = await run(["export function service(ctx: any) {", "  ctx.handle('ping', () => {", "    ctx.send('nobody-here', 'x');", '  });', '}'].join('\n'), { facade: true });
    expect(r.reply?.error).toMatch(/BadArgument: unknown service "nobody-here".*\(learner\.ts:3:\d+\)$/);
  });
});

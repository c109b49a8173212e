import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/sim/errors.ts';
import { isDatabaseWriteError, isRemoteError, isRpcTimeout, isSimError, isStaleIncarnation, isUniqueViolation } from '../../src/sim/learner-runtime.ts';
import { Simulation } from '../../src/sim/index.ts';
import { learnerModules } from '../../src/grading/learner-module.ts';
import { trustedFactory } from '../../src/grading/local-factory.ts';
import { compile } from '../../src/sandbox/compile.ts';

describe("learner runtime: values importable from '@mdl/<exercise>'", () => {
  it('the guards recognise the errors the kernel raises, by name, and nothing else', async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: Record<string, unknown> = {};
    sim.addService({ name: 'b', start: (ctx) => ctx.handle('boom', () => { throw new Error('no'); }) });
    sim.addService({
      name: 'a',
      start(ctx) {
        void (async () => {
          await ctx.call('b', 'nothing').catch((e) => (seen.unavailable = e));
          await ctx.call('b', 'boom').catch((e) => (seen.remote = e));
          sim.crash('b');
          await ctx.call('b', 'boom', null, { timeoutMs: 20 }).catch((e) => (seen.timeout = e));
          ctx.db.createTable('t');
          await ctx.db.insert('t', { id: 1 });
          await ctx.db.insert('t', { id: 1 }).catch((e) => (seen.unique = e));
        })();
      },
    });
    await sim.runUntilQuiescent();
    expect(isRemoteError(seen.unavailable)).toBe(true);
    expect((seen.unavailable as { code: string }).code).toBe('Unavailable');
    expect(isRemoteError(seen.remote) && seen.remote.remote.message).toBe('no');
    expect(isRpcTimeout(seen.timeout)).toBe(true);
    expect(isRpcTimeout(seen.remote)).toBe(false);
    expect(isUniqueViolation(seen.unique)).toBe(true);
    expect(isSimError(seen.unique)).toBe(true);
    expect(isSimError(seen.unique, 'UniqueViolation')).toBe(true);
    expect(isSimError(seen.unique, 'NoSuchRow')).toBe(false);
    expect(isDatabaseWriteError(new SimError('DatabaseWriteError', 'x'))).toBe(true);
    expect(isStaleIncarnation(new SimError('StaleIncarnation', 'x'))).toBe(true);
    // A copy with the same fields (as a hardened facade may hand out) is recognised too; lookalikes are not.
    expect(isRpcTimeout({ name: 'RpcTimeout', message: 'copied' })).toBe(true);
    for (const x of [null, undefined, 'RpcTimeout', 42, {}, new Error('RpcTimeout'), { name: 'Error' }]) {
      expect(isRpcTimeout(x) || isRemoteError(x) || isSimError(x)).toBe(false);
    }
  });

  it('a value import from the exercise module compiles and runs; other modules stay refused', () => {
    const src = `import { isRpcTimeout, DEFAULT_CALL_TIMEOUT_MS, type ServiceContext } from '@mdl/saga-orchestration-hotel';
export function orchestrator(ctx: ServiceContext) { ctx.handle('t', () => [DEFAULT_CALL_TIMEOUT_MS, isRpcTimeout({ name: 'RpcTimeout' })]); }`;
    const l = trustedFactory(src);
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    const mod = l.factory({ random: () => 0, now: () => 0, setTimer: () => 0, clearTimer: () => {} });
    expect(typeof mod.orchestrator).toBe('function');
    const modules = learnerModules();
    expect(Object.keys(modules)).toContain('@mdl/event-store-concurrency');
    expect(Object.isFrozen(modules['@mdl/saga-orchestration-hotel'])).toBe(true);
    expect(compile(`import { readFileSync } from 'node:fs'; export const x = readFileSync;`, 's.ts', { allowedModules: Object.keys(modules) }).ok).toBe(false);
  });
});

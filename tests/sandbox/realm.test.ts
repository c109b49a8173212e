import { isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { isSandboxRealm, prepareSandboxRealm } from '../../src/sandbox/realm.ts';
import { createModuleFactory } from '../../src/sandbox/module-factory.ts';
import { compile, type CompileOk } from '../../src/sandbox/compile.ts';

describe('sandbox realm guard', () => {
  it.runIf(isMainThread)('refuses to lock down a main thread (the test runner), leaving its intrinsics untouched', () => {
    expect(() => prepareSandboxRealm()).toThrow(/refusing to lock down a main thread/);
    expect(isSandboxRealm()).toBe(false);
    expect(Object.isFrozen(Array.prototype)).toBe(false);
  });

  it('refuses to build module factories outside a locked-down realm', () => {
    const c = compile('export const x = 1;') as CompileOk;
    expect(() => createModuleFactory(c)).toThrow(/prepareSandboxRealm/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/sandbox/compile.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import type { JobOutcome, SandboxHost } from '../../src/sandbox/protocol.ts';
import { mismatch, parseExpectation, verdictOf } from './hostile-harness.ts';
import type { TestJob, TestResult } from './test-worker.ts';

const hostileDir = new URL('../hostile/', import.meta.url);
const cases = readdirSync(hostileDir).filter((f) => f.endsWith('.ts')).sort();
const goodSource = readFileSync(new URL('./fixtures/good.ts', import.meta.url), 'utf8');

let host: SandboxHost;
beforeAll(async () => {
  // Generous: a heap bomb must reach the 96 MB cap before the wall clock — in a fresh (cold) worker, on a loaded machine.
  host = createNodeHost({ workerEntry: new URL('./test-worker.ts', import.meta.url), wallClockMs: 4000, memoryMb: 96 });
  await host.warmUp();
});
afterAll(() => host.close());

async function runSource(source: string, fileName: string, seed = 1): Promise<{ compiled: ReturnType<typeof compile>; outcome?: JobOutcome<TestResult> }> {
  const compiled = compile(source, fileName);
  if (!compiled.ok) return { compiled };
  const job: TestJob = { compiled, exportName: 'service', seed, maxEvents: 50_000, probeRealm: true };
  return { compiled, outcome: await host.run<TestJob, TestResult>(job) };
}

describe('hostile corpus (Node host)', () => {
  it('has the cases the issue lists', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of cases) {
    it(`${file} ends with its expected failure, then a correct submission passes`, async () => {
      const source = readFileSync(new URL(file, hostileDir), 'utf8');
      const exp = parseExpectation(source);
      const started = performance.now();
      const { compiled, outcome } = await runSource(source, file);
      const got = verdictOf(compiled, outcome);
      expect(mismatch(exp, got), JSON.stringify(got)).toBeNull();
      expect(got.verdict).not.toBe('pass');
      expect(performance.now() - started).toBeLessThan(15_000);

      // Same host, next submission: must pass, with a clean realm.
      const next = await runSource(goodSource, 'good.ts');
      const v = verdictOf(next.compiled, next.outcome);
      expect(v.verdict, v.message).toBe('pass');
      const realm = next.outcome?.ok ? next.outcome.result.realm : undefined;
      expect(realm?.objectProtoKeys).not.toContain('polluted');
      expect(realm?.arrayProtoPolluted).toBe(false);
    });
  }
});

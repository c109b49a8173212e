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

// Workers inherit the process's time zone: a non-UTC one makes host-time-zone.ts able to fail.
const originalTz = process.env.TZ;
let host: SandboxHost;
beforeAll(async () => {
  process.env.TZ = 'America/New_York';
  // Generous: a heap bomb must reach the 96 MB cap before the wall clock — in a fresh (cold) worker, on a loaded machine.
  host = createNodeHost({ workerEntry: new URL('./test-worker.ts', import.meta.url), wallClockMs: 4000, memoryMb: 96 });
  await host.warmUp();
});
afterAll(() => {
  host.close();
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

async function runSource(source: string, fileName: string, seed = 1, facade = false): Promise<{ compiled: ReturnType<typeof compile>; outcome?: JobOutcome<TestResult> }> {
  const compiled = compile(source, fileName);
  if (!compiled.ok) return { compiled };
  const job: TestJob = { compiled, exportName: 'service', seed, maxEvents: 50_000, probeRealm: true, facade };
  return { compiled, outcome: await host.run<TestJob, TestResult>(job) };
}

describe('hostile corpus (Node host)', () => {
  it('has the cases the issue lists', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  // Each case against the kernel's own ctx and against the grading facade (`npm run grade`);
  // host limits (time, memory) do not depend on the ctx and run once.
  const runs = cases.flatMap((file) => {
    const exp = parseExpectation(readFileSync(new URL(file, hostileDir), 'utf8'));
    return exp.expect === 'timeout' || exp.expect === 'memory' ? [{ file, facade: false }] : [{ file, facade: false }, { file, facade: true }];
  });
  for (const { file, facade } of runs) {
    it(`${file}${facade ? ' (facade)' : ''} ends with its expected failure, then a correct submission passes`, async () => {
      const source = readFileSync(new URL(file, hostileDir), 'utf8');
      const exp = parseExpectation(source);
      const started = performance.now();
      const { compiled, outcome } = await runSource(source, file, 1, facade);
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

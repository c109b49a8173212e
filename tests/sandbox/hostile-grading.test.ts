/**
 * The grading corpus (tests/hostile/grading) through the real pipeline in Node:
 * compile here, execute in the Node host's fresh sandbox worker, judge here.
 * Each case must end as a bounded, escaped report within its budgets; then the
 * untouched starter, graded in the same host, must grade exactly as in a fresh
 * host (a job never influences a later one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSubmission as compile } from '../../src/grading/compile-submission.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import type { SandboxHost } from '../../src/sandbox/protocol.ts';
import { gradeInSandbox, runInSandbox } from '../../src/grading/sandboxed.ts';
import type { GradeReport } from '../../src/grading/types.ts';
import { comparable, gradingProblems, parseGradingCase } from './grading-hostile-harness.ts';

const dir = new URL('../hostile/grading/', import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => parseGradingCase(f, readFileSync(new URL(f, dir), 'utf8')));
const starter = (id: string) => readFileSync(new URL(`../../exercises/${id}/starter.ts`, import.meta.url), 'utf8');
const entry = new URL('../../src/grading/worker-entry.ts', import.meta.url);

let host: SandboxHost;
const reference = new Map<string, GradeReport>();

beforeAll(async () => {
  host = createNodeHost({ workerEntry: entry, wallClockMs: 10_000, memoryMb: 512 });
  // The starter's grade in a host that never ran anything else.
  for (const id of new Set(cases.map((c) => c.exercise))) {
    const fresh = createNodeHost({ workerEntry: entry, wallClockMs: 10_000, memoryMb: 512, spare: false });
    try {
      const out = await gradeInSandbox({ host: fresh, compile }, id, starter(id), { seeds: 3 });
      if (!out.ok) throw new Error(out.message);
      reference.set(id, out.report);
    } finally {
      await fresh.close();
    }
  }
  await host.warmUp();
}, 120_000);
afterAll(() => host?.close());

describe('hostile grading corpus (Node host)', () => {
  it('has a case for each class of attack on the grade', () => {
    expect(cases.map((c) => c.file)).toEqual(expect.arrayContaining([
      'poisoned-run.ts', 'huge-error-message.ts', 'huge-report.ts', 'repeated-huge-strings.ts', 'hold-3gb.ts',
      'slow-runs.ts', 'ansi-status.ts', 'unhandled-rejection.ts', 'sync-hang-in-grade.ts',
    ]));
  });

  for (const c of cases) {
    it(`${c.file}: ends as a bounded, escaped report; then the starter grades as in a fresh host`, async () => {
      const source = readFileSync(new URL(c.file, dir), 'utf8');
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      const poll = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
      const started = performance.now();
      const budgets = { ...(c.totalMs !== undefined ? { totalMs: c.totalMs } : {}), ...(c.runWallClockMs !== undefined ? { runWallClockMs: c.runWallClockMs } : {}) };
      let out;
      try {
        out = c.job === 'run'
          ? await runInSandbox({ host, compile }, c.exercise, source, { scenario: 'happy-path', ...budgets })
          : await gradeInSandbox({ host, compile }, c.exercise, source, { seeds: c.seeds, ...budgets });
      } finally {
        clearInterval(poll);
      }
      const ms = performance.now() - started;
      expect(gradingProblems(c, out), JSON.stringify(out).slice(0, 800)).toEqual([]);
      if (c.totalMs !== undefined) expect(ms).toBeLessThan(c.totalMs + 8000);
      if (c.maxRssMb !== undefined) expect((peak - baseline) / 1048576).toBeLessThan(c.maxRssMb);

      const next = await gradeInSandbox({ host, compile }, c.exercise, starter(c.exercise), { seeds: 3 });
      expect(next.ok).toBe(true);
      if (next.ok) expect(comparable(next.report)).toEqual(comparable(reference.get(c.exercise)!));
    }, 120_000);
  }
});

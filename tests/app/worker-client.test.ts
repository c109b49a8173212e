import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createGradingClient, splitBilingual } from '../../src/app/worker-client.ts';
import { compileSubmission } from '../../src/grading/compile-submission.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import { failure, timeoutText, ABORTED_TEXT, type JobOutcome, type RunOptions, type SandboxHost } from '../../src/sandbox/protocol.ts';
import type { ExecuteJob } from '../../src/grading/worker-types.ts';
import { AbortedError } from '../../src/app/types.ts';

const compileNow = async (source: string, fileName: string) => compileSubmission(source, fileName);

function hostReturning(outcome: (job: ExecuteJob, options?: RunOptions) => JobOutcome<unknown>, jobs: ExecuteJob[] = []): SandboxHost {
  return {
    async run<J, R>(job: J, options?: RunOptions) {
      jobs.push(job as ExecuteJob);
      return outcome(job as ExecuteJob, options) as JobOutcome<R>;
    },
    async warmUp() {},
    async close() {},
    stats: { workersStarted: 1, lastStartupMs: 0, jobs: 0 },
  };
}

const HOTEL = 'saga-orchestration-hotel';
const solution = readFileSync(new URL(`../../solutions/${HOTEL}.ts`, import.meta.url), 'utf8');

describe('splitBilingual', () => {
  it('splits "English / Русский" messages at the Russian half', () => {
    expect(splitBilingual('Time limit exceeded: a / b / Превышено время')).toEqual({
      en: 'Time limit exceeded: a / b',
      ru: 'Превышено время',
    });
    expect(splitBilingual('plain message')).toBe('plain message');
  });
});

describe('grading client over a sandbox host', () => {
  it('sends one execute job per Run: the compiled code and the planned run (the seed only for random runs)', async () => {
    const jobs: ExecuteJob[] = [];
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => ({ ok: true, result: { ok: true, executed: 1 } }), jobs) });
    await client.run(HOTEL, solution, { scenario: 'happy-path', seed: 9 });
    expect(jobs[0]).toMatchObject({ kind: 'execute', exerciseId: HOTEL, compiled: { ok: true }, runs: [{ scenario: 'happy-path', seed: 101, random: false }] });
    await client.run(HOTEL, solution, { scenario: 'random', seed: 9 });
    expect(jobs[1]!.runs).toMatchObject([{ scenario: 'random', seed: 9, random: true }]);
    expect(jobs[1]!.runs[0]!.faults.length).toBeGreaterThan(0); // the judge's schedule, sent to the worker
  });

  it('a worker that answers without the run\'s record is a sandbox error, not a report', async () => {
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => ({ ok: true, result: { ok: true, executed: 1 } })) });
    const r = await client.run(HOTEL, solution, { scenario: 'happy-path' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.kind).toBe('error');
  });

  it('turns a wall-clock timeout of a Run into a timeout failure with both languages', async () => {
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => failure('timeout', timeoutText(5000))) });
    const r = await client.run(HOTEL, solution, { scenario: 'happy-path' });
    expect(r).toMatchObject({ ok: false, scenario: 'happy-path', seed: undefined, failure: { kind: 'timeout', message: timeoutText(5000) } });
  });

  it('a timeout during a Grade is a graded report naming the cause', async () => {
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => failure('timeout', timeoutText(5000))) });
    const r = await client.grade(HOTEL, solution, { seeds: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.score).toBe(0);
    expect(r.report.checks.every((c) => !c.passed)).toBe(true);
    expect(r.report.checks[0]!.message?.en).toMatch(/did not finish within 5 s/);
    expect(r.report.checks.at(-1)!.message?.en).toMatch(/^Not evaluated: /);
  });

  it('reports compile diagnostics without starting a job', async () => {
    const jobs: ExecuteJob[] = [];
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => ({ ok: true, result: { ok: true, executed: 0 } }), jobs) });
    const r = await client.grade(HOTEL, 'export function orchestrator( {', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatchObject({ kind: 'compile', diagnostics: [{ line: 1 }] });
    expect(jobs).toHaveLength(0);
  });

  it('rejects with AbortedError when the job was cancelled', async () => {
    const client = createGradingClient({ compile: compileNow, host: async () => hostReturning(() => failure('aborted', ABORTED_TEXT)) });
    await expect(client.run(HOTEL, solution, { scenario: 'happy-path' })).rejects.toBeInstanceOf(AbortedError);
    const ac = new AbortController();
    ac.abort();
    await expect(client.grade(HOTEL, solution, { signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('grading client over the real Node sandbox (execute in the worker, judge here)', () => {
  const host = createNodeHost({ workerEntry: new URL('../../src/grading/worker-entry.ts', import.meta.url), wallClockMs: 10_000, memoryMb: 256 });
  afterAll(() => host.close());
  const client = createGradingClient({ compile: compileNow, host: async () => host });

  it('grades the reference solution with progress, and runs a scenario with its trace and state', async () => {
    const progress: Array<{ done: number; total: number }> = [];
    const g = await client.grade(HOTEL, solution, { seeds: 5, onProgress: (p) => progress.push(p) });
    expect(g.ok).toBe(true);
    if (g.ok) expect(g.report.score).toBe(g.report.maxScore);
    // Throttled to one callback per 50 ms, but the last run always reports.
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ done: last.total, phase: 'random' });
    expect(last.total).toBeGreaterThan(5);
    const r = await client.run(HOTEL, solution, { scenario: 'happy-path' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.trace.length).toBeGreaterThan(10);
    expect(r.report.state.booking!.bookings![0]!.status).toBe('CONFIRMED');
    expect(r.report.checks.find((c) => c.id === 'happy-path')!.passed).toBe(true);
  }, 120_000);
});

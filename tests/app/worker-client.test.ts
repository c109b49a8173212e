import { describe, expect, it } from 'vitest';
import { createGradingClient, splitBilingual } from '../../src/app/worker-client.ts';
import type { JobOutcome, RunOptions, SandboxHost } from '../../src/sandbox/protocol.ts';
import type { WorkerJob } from '../../src/grading/worker-types.ts';
import { AbortedError } from '../../src/app/types.ts';

function hostReturning(outcome: (job: WorkerJob, options?: RunOptions) => JobOutcome<unknown>, jobs: WorkerJob[] = []): SandboxHost {
  return {
    async run<J, R>(job: J, options?: RunOptions) {
      jobs.push(job as WorkerJob);
      return outcome(job as WorkerJob, options) as JobOutcome<R>;
    },
    async warmUp() {},
    async close() {},
    stats: { workersStarted: 1, lastStartupMs: 0, jobs: 0 },
  };
}

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
  it('sends run jobs with the scenario (and the seed only for random runs)', async () => {
    const jobs: WorkerJob[] = [];
    const report = { scenario: 'happy-path', seed: 3, checks: [] };
    const client = createGradingClient({ host: async () => hostReturning(() => ({ ok: true, result: { ok: true, report } }), jobs) });
    const r1 = await client.run('ex', 'code', { scenario: 'happy-path', seed: 9 });
    expect(r1).toMatchObject({ ok: true, report });
    expect(jobs[0]).toMatchObject({ kind: 'run', exerciseId: 'ex', source: 'code', options: { scenario: 'happy-path' } });
    expect((jobs[0] as { options: object }).options).not.toHaveProperty('seed');
    await client.run('ex', 'code', { scenario: 'random', seed: 9 });
    expect(jobs[1]).toMatchObject({ options: { scenario: 'random', seed: 9 } });
  });

  it('turns a wall-clock timeout into a timeout failure with a bilingual message', async () => {
    const client = createGradingClient({
      host: async () => hostReturning(() => ({ ok: false, kind: 'timeout', message: 'Time limit exceeded / Превышено время' })),
    });
    const r = await client.run('ex', 'while(true){}', { scenario: 's' });
    expect(r).toEqual({
      ok: false,
      scenario: 's',
      seed: undefined,
      failure: { kind: 'timeout', message: { en: 'Time limit exceeded', ru: 'Превышено время' } },
    });
  });

  it('reports compile diagnostics and forwards grade progress', async () => {
    const progress: unknown[] = [];
    const compileError = { ok: false, error: 'compile', message: 'x', diagnostics: [{ line: 1, column: 2, message: 'bad' }] };
    const client = createGradingClient({
      host: async () =>
        hostReturning((_job, options) => {
          options?.onMessage?.({ type: 'progress', done: 1, total: 4, phase: 'scenarios' });
          return { ok: true, result: compileError };
        }),
    });
    const r = await client.grade('ex', 'bad', { onProgress: (p) => progress.push(p) });
    expect(r).toEqual({ ok: false, failure: { kind: 'compile', diagnostics: [{ line: 1, column: 2, message: 'bad' }] } });
    expect(progress).toEqual([{ done: 1, total: 4, phase: 'scenarios' }]);
  });

  it('rejects with AbortedError when the host reports an aborted job', async () => {
    const client = createGradingClient({ host: async () => hostReturning(() => ({ ok: false, kind: 'aborted', message: 'cancelled' })) });
    await expect(client.grade('ex', 'x', {})).rejects.toBeInstanceOf(AbortedError);
  });
});

import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { workspaceMachine } from '../../src/app/workspace-machine.ts';
import type { GradeOptions, GradeResult, GradingClient, RunOptions, RunResult } from '../../src/app/types.ts';
import type { GradeReport, RunReport } from '../../src/grading/types.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const runReport = { scenario: 'happy-path', seed: 1, checks: [], logs: [], trace: [] } as unknown as RunReport;
const gradeReport = { score: 10, maxScore: 10, checks: [], seeds: 5 } as unknown as GradeReport;

class FakeClient implements GradingClient {
  runs: Array<{ code: string; opts: RunOptions; d: ReturnType<typeof deferred<RunResult>> }> = [];
  grades: Array<{ code: string; opts: GradeOptions; d: ReturnType<typeof deferred<GradeResult>> }> = [];
  run(_id: string, code: string, opts: RunOptions) {
    const d = deferred<RunResult>();
    this.runs.push({ code, opts, d });
    return d.promise;
  }
  grade(_id: string, code: string, opts: GradeOptions) {
    const d = deferred<GradeResult>();
    this.grades.push({ code, opts, d });
    return d.promise;
  }
}

function start(client: GradingClient) {
  return createActor(workspaceMachine, { input: { client, exerciseId: 'ex' } }).start();
}

describe('workspace run/grade lifecycle', () => {
  it('idle → running → done with the run result', async () => {
    const client = new FakeClient();
    const actor = start(client);
    actor.send({ type: 'RUN', code: 'A', scenario: 'random', seed: 7 });
    expect(actor.getSnapshot().value).toBe('running');
    expect(client.runs[0]!.opts).toMatchObject({ scenario: 'random', seed: 7 });
    // A second action while busy is ignored.
    actor.send({ type: 'GRADE', code: 'B' });
    expect(client.grades).toHaveLength(0);
    client.runs[0]!.d.resolve({ ok: true, scenario: 'random', seed: 7, report: runReport });
    const s = await waitFor(actor, (x) => x.value === 'done');
    expect(s.context.result).toMatchObject({ kind: 'run', run: { ok: true } });
    expect(s.context.generation).toBe(1);
  });

  it('reports progress while grading, then the report with the graded code', async () => {
    const client = new FakeClient();
    const actor = start(client);
    actor.send({ type: 'GRADE', code: 'graded code' });
    expect(actor.getSnapshot().value).toBe('grading');
    client.grades[0]!.opts.onProgress!({ done: 3, total: 10, phase: 'random' });
    expect(actor.getSnapshot().context.progress).toEqual({ done: 3, total: 10, phase: 'random' });
    client.grades[0]!.d.resolve({ ok: true, report: gradeReport });
    const s = await waitFor(actor, (x) => x.value === 'done');
    expect(s.context.result).toMatchObject({ kind: 'grade', code: 'graded code', grade: { ok: true } });
  });

  it('STOP ends a grade: the signal is aborted and a late result is ignored', async () => {
    const client = new FakeClient();
    const actor = start(client);
    actor.send({ type: 'GRADE', code: 'x' });
    const { opts, d } = client.grades[0]!;
    actor.send({ type: 'STOP' });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(opts.signal!.aborted).toBe(true);
    d.resolve({ ok: true, report: gradeReport });
    await new Promise((r) => setTimeout(r, 10));
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().context.result).toBeNull();
    // The next action works.
    actor.send({ type: 'RUN', code: 'y', scenario: 'happy-path' });
    expect(actor.getSnapshot().value).toBe('running');
  });

  it('an engine failure ends in error with its message, and a new run can start', async () => {
    const client = new FakeClient();
    const actor = start(client);
    actor.send({ type: 'RUN', code: 'x', scenario: 's' });
    client.runs[0]!.d.reject(new Error('worker exploded'));
    const s = await waitFor(actor, (x) => x.value === 'error');
    expect(s.context.error).toBe('worker exploded');
    actor.send({ type: 'RUN', code: 'x', scenario: 's' });
    expect(actor.getSnapshot().value).toBe('running');
  });
});

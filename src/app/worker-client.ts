/**
 * GradingClient over the sandbox's browser host: each run/grade is a job for the
 * grading worker (src/grading/worker-entry.ts) inside the sandbox. Outcomes of
 * the sandbox (timeouts, crashes) and of the grader (compile errors) become
 * {@link SandboxFailure}s the UI explains; nothing is thrown for learner mistakes.
 */
import type { JobOutcome, SandboxHost } from '../sandbox/protocol.ts';
import type { WorkerJob, WorkerProgress, WorkerResult } from '../grading/worker-types.ts';
import type { Localized } from './i18n.tsx';
import {
  AbortedError,
  RANDOM_SCENARIO,
  type GradeOptions,
  type GradeResult,
  type GradingClient,
  type RunOptions,
  type RunResult,
  type SandboxFailure,
} from './types.ts';

/** Sandbox messages are "English / Russian" in one string; split them for the UI language. */
export function splitBilingual(message: string): Localized | string {
  const re = / \/ /g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(message))) {
    const rest = message.slice(m.index + 3);
    if (/^[А-Яа-яЁё]/.test(rest)) return { en: message.slice(0, m.index), ru: rest };
  }
  return message;
}

function sandboxFailure(outcome: Extract<JobOutcome<unknown>, { ok: false }>): SandboxFailure {
  const message = splitBilingual(outcome.message);
  return outcome.kind === 'timeout' ? { kind: 'timeout', message } : { kind: 'error', message };
}

function graderFailure(result: Extract<WorkerResult, { ok: false }>): SandboxFailure {
  if (result.error === 'compile') return { kind: 'compile', diagnostics: result.diagnostics };
  return { kind: 'error', message: result.message };
}

export interface WorkerClientOptions {
  /** Returns the sandbox host (created lazily on first use, reused afterwards). */
  host(): Promise<SandboxHost>;
}

export function createGradingClient(options: WorkerClientOptions): GradingClient {
  const submit = async (job: WorkerJob, signal: AbortSignal | undefined, onMessage?: (data: unknown) => void) => {
    if (signal?.aborted) throw new AbortedError();
    const host = await options.host();
    const outcome = await host.run<WorkerJob, WorkerResult>(job, { signal, onMessage });
    if (!outcome.ok && outcome.kind === 'aborted') throw new AbortedError();
    return outcome;
  };

  return {
    warmUp() {
      options.host().then(
        (h) => h.warmUp(),
        () => undefined,
      ).catch(() => undefined);
    },

    async run(exerciseId: string, code: string, opts: RunOptions): Promise<RunResult> {
      const seed = opts.scenario === RANDOM_SCENARIO ? opts.seed : undefined;
      const outcome = await submit(
        {
          kind: 'run',
          exerciseId,
          source: code,
          fileName: 'solution.ts',
          options: { scenario: opts.scenario, ...(seed !== undefined ? { seed } : {}) },
        },
        opts.signal,
      );
      const base = { scenario: opts.scenario, seed };
      if (!outcome.ok) return { ok: false, ...base, failure: sandboxFailure(outcome) };
      const result = outcome.result;
      if (!result.ok) return { ok: false, ...base, failure: graderFailure(result) };
      if (!('scenario' in result.report)) throw new Error('the worker answered a run with a grade report');
      return { ok: true, ...base, report: result.report };
    },

    async grade(exerciseId: string, code: string, opts: GradeOptions): Promise<GradeResult> {
      const outcome = await submit(
        { kind: 'grade', exerciseId, source: code, fileName: 'solution.ts', ...(opts.seeds !== undefined ? { seeds: opts.seeds } : {}) },
        opts.signal,
        (data) => {
          const p = data as WorkerProgress;
          if (p && p.type === 'progress') opts.onProgress?.({ done: p.done, total: p.total, phase: p.phase });
        },
      );
      if (!outcome.ok) return { ok: false, failure: sandboxFailure(outcome) };
      const result = outcome.result;
      if (!result.ok) return { ok: false, failure: graderFailure(result) };
      if (!('checks' in result.report) || !('seeds' in result.report)) throw new Error('the worker answered a grade with a run report');
      return { ok: true, report: result.report };
    },
  };
}

/** The app's client: the sandbox's browser host running the grading worker entry. */
export function createWorkerClient(): GradingClient {
  let host: Promise<SandboxHost> | null = null;
  return createGradingClient({
    host() {
      host ??= import('./browser-host.ts').then((m) => m.createAppSandboxHost());
      host.catch(() => {
        host = null;
      });
      return host;
    },
  });
}

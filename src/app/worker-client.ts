/**
 * GradingClient over the sandbox's browser host. Each Run or Grade is compiled
 * by the trusted compile worker, executed in a fresh sandbox worker (which only
 * executes and posts bounded run records), and judged here, on the page —
 * outside the learner's realm (src/grading/sandboxed.ts). Outcomes the learner
 * caused (timeouts, memory, compile errors) become reports or
 * {@link SandboxFailure}s the UI explains; nothing is thrown for learner mistakes.
 */
import type { NotGraded } from '../grading/sandboxed.ts';
import type { SandboxHost } from '../sandbox/protocol.ts';
import type { Compile } from './compiler.ts';
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

/** "English / Russian" in one string (older sandbox messages): split for the UI language. */
export function splitBilingual(message: string): Localized | string {
  const re = / \/ /g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(message))) {
    const rest = message.slice(m.index + 3);
    if (/^[А-Яа-яЁё]/.test(rest)) return { en: message.slice(0, m.index), ru: rest };
  }
  return message;
}

function failureOf(r: NotGraded): SandboxFailure {
  switch (r.error) {
    case 'aborted':
      throw new AbortedError();
    case 'compile':
      return { kind: 'compile', diagnostics: r.diagnostics };
    case 'stopped':
      return r.kind === 'timeout' || r.kind === 'budget' ? { kind: 'timeout', message: r.text } : { kind: 'error', message: r.text };
    case 'sandbox':
      return { kind: 'error', message: r.text };
    default:
      return { kind: 'error', message: r.message };
  }
}

/** Real-time budget of one run in the app (a Run, or one run of a grade: each run's record restarts the clock). */
export const WALL_CLOCK_MS = 5000;

export interface WorkerClientOptions {
  /** Returns the sandbox host (created lazily on first use, reused afterwards). */
  host(): Promise<SandboxHost>;
  /** Compiles learner source (the app: the compile worker). */
  compile: Compile;
  /** Real-time budget of one run (default: the app's WALL_CLOCK_MS). */
  runWallClockMs?: number;
  /** Real-time budget of a whole grade (default 60 s). */
  totalMs?: number;
}

export function createGradingClient(options: WorkerClientOptions): GradingClient {
  const budgets = { runWallClockMs: options.runWallClockMs ?? WALL_CLOCK_MS, ...(options.totalMs !== undefined ? { totalMs: options.totalMs } : {}) };
  // The judge (checks, scoring, reports) loads with the first Run or Grade, not with the course map.
  const judge = () => import('../grading/sandboxed.ts');
  const grader = async (signal: AbortSignal | undefined) => {
    if (signal?.aborted) throw new AbortedError();
    return { host: await options.host(), compile: options.compile };
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
      const out = await (await judge()).runInSandbox(await grader(opts.signal), exerciseId, code, {
        fileName: 'solution.ts',
        scenario: opts.scenario,
        ...(seed !== undefined ? { seed } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...budgets,
      });
      const base = { scenario: opts.scenario, seed };
      if (!out.ok) return { ok: false, ...base, failure: failureOf(out) };
      return { ok: true, ...base, report: out.report };
    },

    async grade(exerciseId: string, code: string, opts: GradeOptions): Promise<GradeResult> {
      const out = await (await judge()).gradeInSandbox(await grader(opts.signal), exerciseId, code, {
        fileName: 'solution.ts',
        ...(opts.seeds !== undefined ? { seeds: opts.seeds } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: (p) => opts.onProgress!({ done: p.done, total: p.total, phase: p.phase }) } : {}),
        ...budgets,
      });
      if (!out.ok) return { ok: false, failure: failureOf(out) };
      return { ok: true, report: out.report };
    },
  };
}

/** The app's client: the sandbox's browser host running the executing worker, the compile worker, the judge on this page. */
export function createWorkerClient(): GradingClient {
  let host: Promise<SandboxHost> | null = null;
  let compile: Compile | undefined;
  return createGradingClient({
    host() {
      host ??= import('./browser-host.ts').then((m) => m.createAppSandboxHost());
      host.catch(() => {
        host = null;
      });
      return host;
    },
    compile: async (source, fileName) => {
      compile ??= (await import('./compiler.ts')).createCompiler();
      return compile(source, fileName);
    },
  });
}

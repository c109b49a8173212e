/**
 * Grading learner code through a sandbox host: compile here (pure, never runs
 * the code), execute in a fresh sandbox worker (worker-job.ts), judge here
 * (judge.ts) as each run's record arrives. Used by the CLI (Node host, judge on
 * the main thread) and the app (browser host, judge on the page).
 *
 * Budgets, and how each one ends — always as a graded report, never a crash:
 * - per run: `runWallClockMs` of real time (the host's segment clock, restarted
 *   by each record) → that run's checks fail "did not finish", the rest are
 *   not evaluated;
 * - per grade: `totalMs` (default 60 s), never restarted → unevaluated checks
 *   fail naming the budget;
 * - memory (Node: V8 heap cap + RSS watchdog), a crashed worker → like a run
 *   timeout, naming the cause;
 * - size: records are capped per run and per job (record.ts).
 * When every random check has failed the judge stops the worker (early stop):
 * the grade is the same as if the plan had ended there.
 */
import type { CompileOk, CompileResult } from '../sandbox/compile.ts';
import type { Bilingual, JobOutcome, SandboxHost } from '../sandbox/protocol.ts';
import { findExercise, EXERCISES } from '../../exercises/index.ts';
import { GradeJudge, judgeRun, RunNotJudged, type StopCause } from './judge.ts';
import { gradePlan, singleRunPlan, toExecute } from './plan.ts';
import { DEFAULT_RUN_CHARS, type RecordCaps } from './record.ts';
import type { ExerciseDefinition, GradeOptions, GradeProgress, GradeReport, Localized, RunOptions, RunReport } from './types.ts';
import type { ExecuteJob, RecordsMessage, WorkerResult } from './worker-types.ts';

/** Default real-time budget of a whole grade. */
export const DEFAULT_TOTAL_MS = 60_000;
/** Default real-time budget of one run. */
export const DEFAULT_RUN_WALL_CLOCK_MS = 10_000;

export interface SandboxGrader {
  host: SandboxHost;
  /**
   * Compiles learner source: src/sandbox/compile.ts `compile` (pure; never runs the code), called
   * here or in a trusted worker (the app), so the sandbox worker needs no compiler.
   */
  compile: (source: string, fileName: string) => CompileResult | Promise<CompileResult>;
}

export interface SandboxJobOptions {
  fileName?: string;
  /** Real ms between two progress callbacks (default 50; the last run always reports). A re-render per run slowed the app's grades. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** Real-time budget of one run (default 10 s). */
  runWallClockMs?: number;
  /** Real-time budget of the whole job (default 60 s). */
  totalMs?: number;
  caps?: Partial<RecordCaps>;
}

export interface Diagnostic {
  line: number;
  column: number;
  message: string;
}

/** Why there is no report: bad input, a cancelled job, or (Run only) the sandbox ending the run. */
export type NotGraded =
  | { ok: false; error: 'unknown-exercise'; message: string }
  | { ok: false; error: 'compile'; message: string; diagnostics: Diagnostic[] }
  | { ok: false; error: 'aborted'; message: string }
  /** The sandbox failed for reasons that are not the learner's (e.g. a stale worker script). */
  | { ok: false; error: 'sandbox'; message: string; text: Localized }
  /** Run only: the run was stopped (timeout, memory, …) or its record refused (too big). */
  | { ok: false; error: 'stopped'; kind: 'timeout' | 'budget' | 'memory' | 'crashed' | 'limit'; message: string; text: Localized };

export type SandboxGradeOutcome = { ok: true; report: GradeReport } | NotGraded;
export type SandboxRunOutcome = { ok: true; report: RunReport } | NotGraded;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

const joined = (t: Bilingual) => `${t.en} / ${t.ru}`;

async function prepare(g: SandboxGrader, exerciseId: string, source: string, fileName: string): Promise<{ ex: ExerciseDefinition; compiled: CompileOk } | NotGraded> {
  const ex = findExercise(exerciseId);
  if (!ex) return { ok: false, error: 'unknown-exercise', message: `unknown exercise "${exerciseId}" (known: ${EXERCISES.map((e) => e.id).join(', ')})` };
  const compiled = await g.compile(source, fileName);
  if (!compiled.ok) {
    const message = compiled.diagnostics.map((d) => `${fileName}:${d.line}:${d.column} ${d.message}`).join('\n');
    return { ok: false, error: 'compile', message, diagnostics: compiled.diagnostics };
  }
  return { ex, compiled };
}

function refused(result: Extract<WorkerResult, { ok: false }>): NotGraded {
  const text = {
    en: `The sandbox refused the job: ${result.message}`,
    ru: `Песочница отказалась выполнять задание: ${result.message}`,
  };
  return { ok: false, error: 'sandbox', message: joined(text), text };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}`;
}

/** The judge's wording of a host failure (the run that was executing is named by the judge). */
function causeOf(outcome: Extract<JobOutcome<unknown>, { ok: false }>, runMs: number, totalMs: number, judged: number, planned: number): { cause: StopCause; inFlight: boolean } {
  switch (outcome.kind) {
    case 'timeout':
      return {
        inFlight: true,
        cause: { kind: 'timeout', message: {
          ru: `Прогон не завершился за ${seconds(runMs)} с реального времени (бесконечный цикл без await?): песочница остановлена.`,
          en: `The run did not finish within ${seconds(runMs)} s of real time (an endless loop without awaits?): the sandbox was stopped.`,
        } },
      };
    case 'budget':
      return {
        inFlight: false,
        cause: { kind: 'budget', message: {
          ru: `исчерпан общий бюджет времени оценки (${seconds(totalMs)} с) после ${judged} из ${planned} прогонов — слишком медленный код?`,
          en: `the grade's total time budget (${seconds(totalMs)} s) ran out after ${judged} of ${planned} runs — slow code?`,
        } },
      };
    case 'memory':
      return { inFlight: true, cause: { kind: 'memory', message: { ru: `Прогон превысил лимит памяти: ${outcome.text.ru}.`, en: `The run exceeded the memory limit: ${outcome.text.en}.` } } };
    default:
      return { inFlight: true, cause: { kind: 'crashed', message: { ru: `${outcome.text.ru}.`, en: `${outcome.text.en}.` } } };
  }
}

/** Grades learner source through the sandbox; the judge runs in this realm. */
export async function gradeInSandbox(g: SandboxGrader, exerciseId: string, source: string, opts: GradeOptions & SandboxJobOptions = {}): Promise<SandboxGradeOutcome> {
  const started = now();
  const fileName = opts.fileName ?? 'solution.ts';
  const p = await prepare(g, exerciseId, source, fileName);
  if ('ok' in p) return p;
  const { ex, compiled } = p;
  const onProgress = opts.onProgress;
  const interval = opts.progressIntervalMs ?? 50;
  let lastProgress = -Infinity;
  const judge = new GradeJudge(ex, gradePlan(ex, opts.seeds, opts.seedBase), {
    ...(onProgress
      ? {
          onProgress: (p: GradeProgress) => {
            const t = now();
            if (p.done < p.total && t - lastProgress < interval) return;
            lastProgress = t;
            onProgress(p);
          },
        }
      : {}),
    ...(opts.caps ? { caps: opts.caps } : {}),
  });
  if (!judge.wantsMore) return { ok: true, report: judge.report(now() - started) };
  if (opts.signal?.aborted) return { ok: false, error: 'aborted', message: 'cancelled' };

  const runMs = opts.runWallClockMs ?? DEFAULT_RUN_WALL_CLOCK_MS;
  const totalMs = opts.totalMs ?? DEFAULT_TOTAL_MS;
  const stop = new AbortController(); // the judge's own early stop, or the user's cancel
  const onUserAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  const job: ExecuteJob = { kind: 'execute', exerciseId: ex.id, exerciseVersion: ex.version, compiled, runs: judge.execute, caps: judge.caps };
  let outcome: JobOutcome<WorkerResult>;
  try {
    outcome = await g.host.run<ExecuteJob, WorkerResult>(job, {
      signal: stop.signal,
      wallClockMs: runMs,
      totalMs: Math.max(0, totalMs - (now() - started)),
      onMessage: (data) => {
        const m = data as RecordsMessage;
        if (!m || typeof m !== 'object' || m.type !== 'records' || !Array.isArray(m.json)) return;
        for (let i = 0; i < m.json.length && judge.wantsMore; i++) judge.accept(m.first + i, m.json[i]);
        if (!judge.wantsMore) stop.abort();
      },
    });
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
  }
  if (opts.signal?.aborted) return { ok: false, error: 'aborted', message: 'cancelled' };
  if (outcome.ok) {
    if (!outcome.result.ok) return refused(outcome.result);
    if (judge.wantsMore) {
      // The worker said it was done, yet runs are missing.
      judge.stop({ kind: 'protocol', message: { ru: 'Песочница завершила задание, не выполнив все прогоны.', en: 'The sandbox ended the job without executing every run.' } }, true);
    }
  } else if (outcome.kind !== 'aborted' || judge.wantsMore) {
    const { cause, inFlight } = causeOf(outcome, runMs, totalMs, judge.judged, judge.plan.runs.length);
    judge.stop(cause, inFlight);
  }
  return { ok: true, report: judge.report(now() - started) };
}

/** One run through the sandbox (the "Run" button / "replay this seed"), judged in this realm. */
export async function runInSandbox(g: SandboxGrader, exerciseId: string, source: string, opts: RunOptions & SandboxJobOptions = {}): Promise<SandboxRunOutcome> {
  const fileName = opts.fileName ?? 'solution.ts';
  const p = await prepare(g, exerciseId, source, fileName);
  if ('ok' in p) return p;
  const { ex, compiled } = p;
  let planned;
  try {
    planned = singleRunPlan(ex, opts);
  } catch (e) {
    const text = { en: String((e as Error).message), ru: String((e as Error).message) };
    return { ok: false, error: 'sandbox', message: joined(text), text };
  }
  const runChars = opts.caps?.runChars ?? DEFAULT_RUN_CHARS;
  const job: ExecuteJob = { kind: 'execute', exerciseId: ex.id, exerciseVersion: ex.version, compiled, runs: [toExecute(planned)], caps: { runChars, jobChars: runChars } };
  let json: unknown;
  const outcome = await g.host.run<ExecuteJob, WorkerResult>(job, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    wallClockMs: opts.runWallClockMs ?? DEFAULT_RUN_WALL_CLOCK_MS,
    totalMs: opts.totalMs ?? DEFAULT_TOTAL_MS,
    onMessage: (data) => {
      const m = data as RecordsMessage;
      if (m && typeof m === 'object' && m.type === 'records' && m.first === 0 && Array.isArray(m.json)) json = m.json[0];
    },
  });
  if (!outcome.ok) {
    if (outcome.kind === 'aborted') return { ok: false, error: 'aborted', message: outcome.message };
    return { ok: false, error: 'stopped', kind: outcome.kind, message: outcome.message, text: outcome.text };
  }
  if (!outcome.result.ok) return refused(outcome.result);
  try {
    return { ok: true, report: judgeRun(ex, planned, json, { ...(opts.maxTraceEvents !== undefined ? { maxTraceEvents: opts.maxTraceEvents } : {}), runChars }) };
  } catch (e) {
    if (e instanceof RunNotJudged) return { ok: false, error: 'stopped', kind: 'limit', message: joined(e.text), text: e.text };
    throw e;
  }
}

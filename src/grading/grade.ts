/**
 * Grading in one thread, for TRUSTED code (tests, benchmarks, reference
 * solutions): the same two halves the sandbox path uses — execute (execute.ts)
 * → bounded RunRecords → judge (judge.ts) — so the tests exercise the real
 * pipeline, records, validation and caps included; only the JSON transport
 * between them is skipped (the judge takes the record object). Learner code is graded through the
 * sandbox instead (sandboxed.ts): execute in the worker, judge here.
 * Depends only on (code, exercise version, seeds).
 */
import { executeRuns } from './execute.ts';
import { GradeJudge, judgeRun } from './judge.ts';
import { gradePlan, singleRunPlan, toExecute } from './plan.ts';
import { DEFAULT_RUN_CHARS, isOverCap, recordOf, validateRecord, type SizedRecord } from './record.ts';
import { outcomeFromRecord, type JudgedRun } from './outcome.ts';
import { runOnce, type RunInput } from './run.ts';
import type { ExerciseDefinition, GradeOptions, GradeReport, LearnerRuntime, ModuleFactory, RunOptions, RunReport } from './types.ts';

export { DEFAULT_SEEDS, DEFAULT_SEED_BASE } from './plan.ts';
export { evaluate, observe, traceSlice } from './judge.ts';
export { exerciseInfo } from './exercise-info.ts';

function asRuntime(code: ModuleFactory | LearnerRuntime): LearnerRuntime {
  return typeof code === 'function' ? { factory: code } : code;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Grades a learner module (given as a ModuleFactory) on an exercise, in this thread. */
export async function gradeWithFactory(ex: ExerciseDefinition, code: ModuleFactory | LearnerRuntime, opts: GradeOptions = {}): Promise<GradeReport> {
  const runtime = asRuntime(code);
  const started = now();
  const judge = new GradeJudge(ex, gradePlan(ex, opts.seeds, opts.seedBase), opts.onProgress ? { onProgress: opts.onProgress } : {});
  if (judge.wantsMore) {
    await executeRuns(ex, runtime, judge.execute, {
      caps: judge.caps,
      onRecord: (i, record) => {
        judge.accept(i, record);
        return judge.wantsMore;
      },
    });
  }
  return judge.report(now() - started);
}

/** One run for the "Run" button / "replay this seed": full trace, logs, final state and verdicts. */
export async function runScenarioWithFactory(ex: ExerciseDefinition, code: ModuleFactory | LearnerRuntime, opts: RunOptions = {}): Promise<RunReport> {
  const planned = singleRunPlan(ex, opts);
  let record: SizedRecord | undefined;
  await executeRuns(ex, asRuntime(code), [toExecute(planned)], {
    caps: { runChars: DEFAULT_RUN_CHARS, jobChars: DEFAULT_RUN_CHARS },
    onRecord: (_i, r) => {
      record = r;
    },
  });
  return judgeRun(ex, planned, record, opts.maxTraceEvents !== undefined ? { maxTraceEvents: opts.maxTraceEvents } : {});
}

/**
 * One run through the whole pipeline in this thread — execute, record, decode,
 * RunOutcome — as a check would see it (tests of run capabilities; trusted code).
 */
export async function runRecorded(input: RunInput): Promise<JudgedRun> {
  const planned = { scenario: input.scenario, seed: input.seed, random: input.random, faults: input.faults, data: input.setup.data };
  const rec = validateRecord(recordOf(await runOnce(input), [], DEFAULT_RUN_CHARS).record, planned);
  if (isOverCap(rec)) throw new Error(`the run's record is over its cap (${rec.overCap.what})`);
  return outcomeFromRecord(input.exercise, planned, rec);
}

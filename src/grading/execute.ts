/**
 * The execute half of grading: runs the planned runs one after another with
 * the learner's runtime and hands each one on as a bounded RunRecord (the
 * worker sends it as JSON; in process the judge takes the object). It evaluates nothing — checks, scores and digests are
 * the judge's (judge.ts). In the sandbox worker this is all that runs; the
 * in-process path (trusted code in tests and benchmarks) calls it directly
 * with the judge as the sink.
 */
import { jobOverCap, recordOf, type RecordCaps, type SizedRecord } from './record.ts';
import { runOnce } from './run.ts';
import type { ExecuteRun } from './plan.ts';
import type { ExerciseDefinition, LearnerRuntime } from './types.ts';

/** Collects unhandled promise rejections of learner code, per run. */
export interface RejectionCollector {
  /** A run starts: forget anything older. */
  start(): void;
  /** The run ended: let pending notifications arrive, then return their descriptions. */
  finish(): Promise<string[]>;
}

export interface ExecuteOptions {
  caps: RecordCaps;
  /** Receives each record in order; returning false stops before the next run. */
  onRecord(index: number, record: SizedRecord): boolean | void;
  rejections?: RejectionCollector;
}

/** Executes `runs` in order; returns how many were executed. */
export async function executeRuns(ex: ExerciseDefinition, runtime: LearnerRuntime, runs: readonly ExecuteRun[], opts: ExecuteOptions): Promise<number> {
  let total = 0;
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i]!;
    let setup;
    if (r.random) setup = ex.random.setup(r.seed);
    else {
      const sc = ex.scenarios.find((s) => s.id === r.scenario);
      if (!sc) throw new Error(`unknown scenario "${r.scenario}" in exercise ${ex.id}`);
      setup = sc.setup();
    }
    opts.rejections?.start();
    const finished = await runOnce({ exercise: ex, runtime, scenario: r.scenario, seed: r.seed, random: r.random, setup, faults: r.faults });
    const rejections = opts.rejections ? await opts.rejections.finish() : [];
    const sized = recordOf(finished, rejections, opts.caps.runChars);
    total += sized.size;
    if (total > opts.caps.jobChars) {
      opts.onRecord(i, jobOverCap(r.scenario, r.seed, opts.caps.jobChars));
      return i + 1;
    }
    if (opts.onRecord(i, sized) === false) return i + 1;
  }
  return runs.length;
}

/** Messages of the grading worker (shared by worker-entry.ts and its hosts). */
import type { GradeOutcome, RunOutcomeResult } from './index.ts';
import type { GradeProgress, RunOptions } from './types.ts';

export type { RunOptions };

export type WorkerJob =
  | { kind: 'grade'; exerciseId: string; source: string; fileName?: string; seeds?: number; seedBase?: number }
  | { kind: 'run'; exerciseId: string; source: string; fileName?: string; options?: RunOptions };

export type WorkerResult = GradeOutcome | RunOutcomeResult;

/** What the worker posts while grading. */
export type WorkerProgress = { type: 'progress' } & GradeProgress;

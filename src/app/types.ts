import type {
  ExerciseInfo as GradingExerciseInfo,
  GradeProgress,
  GradeReport,
  Localized,
  RunReport,
  TraceEvent,
} from '../grading/types.ts';

export type { GradeProgress, GradeReport, RunReport, TraceEvent };

/** An exercise as the app shows it: the grading layer's summary plus the learner-facing files. */
export interface ExerciseInfo extends GradingExerciseInfo {
  /** Markdown statement. */
  statement: Localized;
  starter: string;
  /** Type declarations registered in the editor (completion, hover, type errors). */
  extraLibs: { fileName: string; content: string }[];
}

export interface Diagnostic {
  line: number;
  column: number;
  message: string;
}

/** Why the sandbox could not produce a report. */
export type SandboxFailure =
  | { kind: 'compile'; diagnostics: Diagnostic[] }
  | { kind: 'timeout'; message: Localized | string }
  | { kind: 'error'; message: Localized | string };

export type RunResult =
  | { ok: true; scenario: string; seed: number | undefined; report: RunReport }
  | { ok: false; scenario: string; seed: number | undefined; failure: SandboxFailure };

export type GradeResult = { ok: true; report: GradeReport } | { ok: false; failure: SandboxFailure };

export interface RunOptions {
  /** A deterministic scenario id, or "random" (then `seed` picks the fault schedule). */
  scenario: string;
  seed?: number;
  signal?: AbortSignal;
}

export interface GradeOptions {
  seeds?: number;
  onProgress?: (p: GradeProgress) => void;
  signal?: AbortSignal;
}

/** What the workspace needs from the grading engine. Runs happen off the main thread. */
export interface GradingClient {
  run(exerciseId: string, code: string, options: RunOptions): Promise<RunResult>;
  grade(exerciseId: string, code: string, options: GradeOptions): Promise<GradeResult>;
  /** Starts the engine ahead of the first run (best effort). */
  warmUp?(): void;
}

export const RANDOM_SCENARIO = 'random';

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

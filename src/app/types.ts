import type { Localized } from './i18n.tsx';

/**
 * The app's view of the course content and of the grading engine. The
 * adapters in `engine.ts` translate the grading layer's registry and reports
 * into these shapes, so the UI does not depend on the engine's internals.
 */

export interface CheckInfo {
  id: string;
  title: Localized;
  points: number;
}

export interface ExerciseInfo {
  id: string;
  /** 1..4 for the chapters of the block, 5 for the final project. */
  chapter: number;
  title: Localized;
  /** Markdown. */
  statement: Localized;
  starter: string;
  /** Type declarations registered in the editor (completion, hover, type errors). */
  extraLibs: { fileName: string; content: string }[];
  checks: CheckInfo[];
  maxScore: number;
  hints: Localized[];
}

export interface LogLine {
  t: number;
  service: string;
  level: string;
  text: string;
}

export interface TraceRow {
  id: number;
  t: number;
  kind: string;
  service: string;
  details: string;
}

export interface RunResult {
  checkId: string;
  seed: number;
  /** Did the check's assertions hold on this run? */
  passed: boolean;
  /** Short outcome text (e.g. "quiescent at t=812ms", or the check's failure message). */
  outcome: Localized | string;
  logs: LogLine[];
  trace: TraceRow[];
  /** Compile diagnostics, if the code did not compile. */
  diagnostics?: Diagnostic[];
  /** Set when the sandbox stopped the code (wall-clock timeout, crash of the worker). */
  sandboxError?: Localized | string;
}

export interface Diagnostic {
  line: number;
  column: number;
  message: string;
}

export interface CheckResult {
  checkId: string;
  title: Localized;
  points: number;
  maxPoints: number;
  passed: boolean;
  failingSeed?: number;
  message?: Localized | string;
}

export interface GradeReport {
  exerciseId: string;
  score: number;
  maxScore: number;
  level?: Localized | string;
  checks: CheckResult[];
  diagnostics?: Diagnostic[];
  sandboxError?: Localized | string;
}

export interface GradeProgress {
  done: number;
  total: number;
}

export interface RunOptions {
  checkId: string;
  seed: number;
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
  grade(exerciseId: string, code: string, options: GradeOptions): Promise<GradeReport>;
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

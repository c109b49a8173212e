/**
 * The typed client interface the workspace programs against (see types.ts),
 * re-exported here as the app's seam to the grading engine.
 */
export type { GradingClient, GradeOptions, GradeResult, RunOptions, RunResult, SandboxFailure } from './types.ts';

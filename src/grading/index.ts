/**
 * Public API of the grading layer (used by the CLI, the app's worker and tests).
 *
 *   const out = await gradeSubmission('saga-orchestration-hotel', source, { load, seeds: 200 });
 *   const run = await runScenario('saga-orchestration-hotel', source, { load, checkId: 'happy-path' });
 *
 * `load` turns source text into a LearnerRuntime (in the worker: the sandbox's
 * compile + createModuleFactory; in trusted tests: local-factory.ts). A
 * ready-made `factory` may be passed instead.
 */
import { EXERCISES, findExercise } from '../../exercises/index.ts';
import { gradeWithFactory, runScenarioWithFactory } from './grade.ts';
import type { GradeOptions, GradeReport, LearnerRuntime, ModuleFactory, RunOptions, RunReport } from './types.ts';

export * from './types.ts';
export { gradeWithFactory, runScenarioWithFactory, evaluate, DEFAULT_SEEDS, DEFAULT_SEED_BASE } from './grade.ts';
export { exerciseInfo, listExercises } from './exercise-info.ts';
export { parseMutantHeader } from './mutants.ts';
export { buildApiDts, moduleName } from './api-dts.ts';
export { EXERCISES, findExercise, exerciseIds } from '../../exercises/index.ts';

export interface SourceDiagnostic {
  line: number;
  column: number;
  message: string;
}

export type LoadOutcome = ({ ok: true } & LearnerRuntime) | { ok: false; diagnostics: SourceDiagnostic[] };
export type SourceLoader = (source: string, fileName: string) => LoadOutcome;

export interface SubmissionOptions {
  load?: SourceLoader;
  factory?: ModuleFactory;
  fileName?: string;
}

/** Why a submission could not be graded at all (bad input, not a low score). */
export type SubmissionError =
  | { ok: false; error: 'unknown-exercise'; message: string }
  | { ok: false; error: 'compile'; message: string; diagnostics: SourceDiagnostic[] }
  | { ok: false; error: 'no-loader'; message: string };

export type GradeOutcome = { ok: true; report: GradeReport } | SubmissionError;
export type RunOutcomeResult = { ok: true; report: RunReport } | SubmissionError;


function prepare(exerciseId: string, source: string, opts: SubmissionOptions) {
  const ex = findExercise(exerciseId);
  if (!ex) {
    return { error: { ok: false, error: 'unknown-exercise', message: `unknown exercise "${exerciseId}" (known: ${EXERCISES.map((e) => e.id).join(', ')})` } as SubmissionError };
  }
  if (opts.factory) return { ex, runtime: { factory: opts.factory } as LearnerRuntime };
  if (!opts.load) return { error: { ok: false, error: 'no-loader', message: 'gradeSubmission needs a `load` function or a `factory`' } as SubmissionError };
  const fileName = opts.fileName ?? 'solution.ts';
  const loaded = opts.load(source, fileName);
  if (!loaded.ok) {
    const message = loaded.diagnostics.map((d) => `${fileName}:${d.line}:${d.column} ${d.message}`).join('\n');
    return { error: { ok: false, error: 'compile', message, diagnostics: loaded.diagnostics } as SubmissionError };
  }
  const { ok: _ok, ...runtime } = loaded;
  return { ex, runtime: runtime as LearnerRuntime };
}

export async function gradeSubmission(exerciseId: string, source: string, opts: SubmissionOptions & GradeOptions = {}): Promise<GradeOutcome> {
  const p = prepare(exerciseId, source, opts);
  if ('error' in p) return p.error!;
  return { ok: true, report: await gradeWithFactory(p.ex!, p.runtime!, opts) };
}

export async function runScenario(exerciseId: string, source: string, opts: SubmissionOptions & RunOptions = {}): Promise<RunOutcomeResult> {
  const p = prepare(exerciseId, source, opts);
  if ('error' in p) return p.error!;
  return { ok: true, report: await runScenarioWithFactory(p.ex!, p.runtime!, opts) };
}

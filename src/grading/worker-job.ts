/**
 * The grading worker's job handler, realm-side: compiles the learner's source in
 * this (SES locked-down) realm, builds the ModuleFactory and runs a grade or a
 * single scenario. No Node APIs: the same code runs in the browser worker.
 * worker-entry.ts wires it to the sandbox transport (serveJobs).
 */
import { compile } from '../sandbox/compile.ts';
import { createModuleFactory, describeError, exposeToLearner } from '../sandbox/module-factory.ts';
import { prepareSandboxRealm } from '../sandbox/realm.ts';
import type { JobIO } from '../sandbox/serve.ts';
import { gradeSubmission, runScenario, type GradeOutcome, type RunOutcomeResult, type SourceLoader } from './index.ts';
import type { RunOptions } from './worker-types.ts';
import { learnerModules } from './learner-module.ts';

export type { WorkerJob, WorkerResult } from './worker-types.ts';
import type { WorkerJob, WorkerResult } from './worker-types.ts';

/** Compiles in this (locked-down) realm and builds the learner runtime. */
export const sandboxLoader: SourceLoader = (source, fileName) => {
  // `import { isRpcTimeout } from '@mdl/<exercise>'`: the only value imports there are.
  const modules = learnerModules();
  const compiled = compile(source, fileName, { allowedModules: Object.keys(modules) });
  if (!compiled.ok) return { ok: false, diagnostics: compiled.diagnostics };
  // Grading turns are short: a synchronous turn past 1M loop iterations is an endless loop.
  const factory = createModuleFactory(compiled, { loopLimit: 1_000_000, modules });
  return {
    ok: true,
    factory,
    wrapContext: (ctx) => exposeToLearner(ctx),
    describeError: (err) => {
      const d = describeError(err, compiled) as { name?: string; message?: string; line?: number; column?: number; stack?: string };
      return {
        name: d.name ?? 'Error',
        message: d.message ?? String(err),
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.column !== undefined ? { column: d.column } : {}),
      };
    },
  };
};

/** Real milliseconds between progress messages (each also restarts the host's wall clock). */
const PROGRESS_INTERVAL_MS = 50;

export async function handleJob(job: WorkerJob, io: JobIO): Promise<WorkerResult> {
  prepareSandboxRealm();
  let lastProgress = -Infinity;
  const fileName = job.fileName ?? 'solution.ts';
  if (job.kind === 'grade') {
    const out: GradeOutcome = await gradeSubmission(job.exerciseId, job.source, {
      load: sandboxLoader,
      fileName,
      ...(job.seeds !== undefined ? { seeds: job.seeds } : {}),
      ...(job.seedBase !== undefined ? { seedBase: job.seedBase } : {}),
      onProgress: (p) => {
        // A message per run (~200 per grade) cost the page two message hops and a
        // re-render each; ~20 a second is smooth. Progress never affects the grade.
        const t = performance.now();
        if (p.done < p.total && t - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = t;
        io.post({ type: 'progress', ...p }, { restartClock: true });
      },
    });
    return out;
  }
  const opts: RunOptions = job.options ?? {};
  const out: RunOutcomeResult = await runScenario(job.exerciseId, job.source, { load: sandboxLoader, fileName, ...opts });
  return out;
}


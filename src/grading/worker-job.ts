/**
 * The sandbox worker's job handler (learner realm, SES locked down): builds the
 * learner's ModuleFactory from the compiled code it is given and executes the
 * planned runs, posting each run's bounded record. It judges nothing and never
 * compiles (compile() runs on the judge's side: the worker script stays small).
 * No Node APIs: the same code runs in the browser worker; worker-entry.ts wires
 * it to the sandbox transport (serveJobs).
 */
import type { CompileOk } from '../sandbox/compile.ts';
import { createModuleFactory, describeError, exposeToLearner } from '../sandbox/module-factory.ts';
import { prepareSandboxRealm } from '../sandbox/realm.ts';
import type { JobIO } from '../sandbox/serve.ts';
import { findExercise } from '../../exercises/index.ts';
import { executeRuns, type RejectionCollector } from './execute.ts';
import { encodeRecord } from './record.ts';
import { learnerModules } from './learner-module.ts';
import type { LearnerRuntime } from './types.ts';
import { RECORD_BATCH_CHARS, RECORD_BATCH_MS, type ExecuteJob, type RecordsMessage, type WorkerJob, type WorkerResult } from './worker-types.ts';

export type { WorkerJob, WorkerResult } from './worker-types.ts';

/** The learner runtime of compiled code, in this (locked-down) realm. */
export function sandboxRuntime(compiled: CompileOk): LearnerRuntime {
  // `import { isRpcTimeout } from '@mdl/<exercise>'`: the only value imports there are (compileSubmission allows them).
  const modules = learnerModules();
  // Grading turns are short: a synchronous turn past 1M loop iterations is an endless loop.
  const factory = createModuleFactory(compiled, { loopLimit: 1_000_000, modules });
  return {
    factory,
    wrapContext: (ctx) => exposeToLearner(ctx),
    describeError: (err) => {
      const d = describeError(err, compiled) as { name?: string; message?: string; line?: number; column?: number };
      return {
        name: d.name ?? 'Error',
        message: d.message ?? String(err),
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.column !== undefined ? { column: d.column } : {}),
      };
    },
  };
}

/** One turn of the event loop (setTimeout would wait ≥ 1 ms in Node: too slow per run). */
const macrotask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () =>
        new Promise((resolve) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            ch.port1.close();
            resolve();
          };
          ch.port2.postMessage(0);
        });

/** Unhandled rejections reported by serveJobs, attributed to the run that is executing. */
function rejectionCollector(io: JobIO, describe: (e: unknown) => string): RejectionCollector {
  let seen: unknown[] = [];
  io.onUnhandledRejection((reason) => {
    if (seen.length < 20) seen.push(reason);
  });
  return {
    start() {
      seen = [];
    },
    async finish() {
      // Rejection notifications are delivered after the microtasks of a task (Node) or as tasks
      // of their own (browsers): two turns let every one of this run arrive before it is recorded.
      await macrotask();
      await macrotask();
      const out = seen.map(describe);
      seen = [];
      return out;
    },
  };
}

function validJob(job: ExecuteJob): boolean {
  return job?.kind === 'execute' && typeof job.exerciseId === 'string' && job.compiled?.ok === true && typeof job.compiled.js === 'string'
    && Array.isArray(job.runs) && Number.isFinite(job.caps?.runChars) && Number.isFinite(job.caps?.jobChars);
}

export async function handleJob(job: WorkerJob, io: JobIO): Promise<WorkerResult> {
  prepareSandboxRealm();
  if (!validJob(job)) return { ok: false, error: 'bad-job', message: 'not an execute job' };
  const ex = findExercise(job.exerciseId);
  if (!ex) return { ok: false, error: 'unknown-exercise', message: `unknown exercise "${job.exerciseId}"` };
  if (ex.version !== job.exerciseVersion) {
    return { ok: false, error: 'version', message: `the sandbox worker has ${ex.id} v${ex.version}, the grader v${job.exerciseVersion} (a stale cached worker?)` };
  }
  const runtime = sandboxRuntime(job.compiled);
  const describe = (e: unknown) => {
    try {
      const d = runtime.describeError!(e);
      return `${d.name}: ${d.message}${d.line !== undefined ? ` (${job.compiled.fileName ?? 'solution.ts'}:${d.line})` : ''}`;
    } catch {
      return 'unprintable rejection';
    }
  };
  let batch: RecordsMessage = { type: 'records', first: 0, json: [] };
  let batchChars = 0;
  let lastFlush = performance.now();
  const flush = () => {
    if (batch.json.length > 0) io.post(batch, { restartClock: true });
    batch = { type: 'records', first: batch.first + batch.json.length, json: [] };
    batchChars = 0;
    lastFlush = performance.now();
  };
  const executed = await executeRuns(ex, runtime, job.runs, {
    caps: job.caps,
    rejections: rejectionCollector(io, describe),
    onRecord: (_index, sized) => {
      const json = encodeRecord(sized);
      batch.json.push(json);
      batchChars += json.length;
      if (batchChars >= RECORD_BATCH_CHARS || performance.now() - lastFlush >= RECORD_BATCH_MS) flush();
    },
  });
  flush();
  return { ok: true, executed };
}

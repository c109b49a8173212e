/**
 * Entry module of the sandbox worker that executes runs (Node worker_threads via
 * the sandbox's Node host, or the browser Worker in the sandboxed frame).
 * serveJobs picks the transport; there are no Node APIs here.
 *
 * Job:    ExecuteJob  ({ kind: 'execute', exerciseId, exerciseVersion, compiled, runs, caps })
 * Posts:  RecordsMessage ({ type: 'records', first, json[] }), batched, in run order (restarts the host's per-run clock)
 * Result: WorkerResult ({ ok: true, executed } or why the job was refused)
 */
import { serveJobs } from '../sandbox/serve.ts';
import { handleJob } from './worker-job.ts';
import type { WorkerJob, WorkerResult } from './worker-types.ts';

export type { WorkerJob, WorkerResult, RecordsMessage } from './worker-types.ts';

serveJobs<WorkerJob, WorkerResult>(handleJob);

/**
 * Entry module of the grading worker (Node worker_threads via the sandbox's Node
 * host, or the browser Worker in the sandboxed frame). serveJobs picks the
 * transport; there are no Node APIs here.
 *
 * Job:    WorkerJob  ({ kind: 'grade' | 'run', exerciseId, source, ... })
 * Posts:  { type: 'progress', done, total, phase } while grading (restarts the host's wall clock)
 * Result: WorkerResult ({ ok: true, report } or a SubmissionError)
 */
import { serveJobs } from '../sandbox/serve.ts';
import { handleJob } from './worker-job.ts';
import type { WorkerJob, WorkerResult } from './worker-types.ts';

export type { WorkerJob, WorkerResult, WorkerProgress } from './worker-types.ts';

serveJobs<WorkerJob, WorkerResult>(handleJob);

/**
 * Messages of the sandbox worker that executes runs (shared by worker-entry.ts,
 * worker-job.ts and the judge side, sandboxed.ts).
 *
 * The worker only executes: it gets the compiled code and the planned runs,
 * and posts one bounded JSON record per run; checks, scores, digests and
 * reports are made by the judge, outside the learner's realm.
 */
import type { CompileOk } from '../sandbox/compile.ts';
import type { ExecuteRun } from './plan.ts';
import type { RecordCaps } from './record.ts';

/** Host → worker: execute these runs of this exercise with this code. */
export interface ExecuteJob {
  kind: 'execute';
  exerciseId: string;
  /** The judge's exercise version: a worker built from other exercise code refuses the job. */
  exerciseVersion: number;
  compiled: CompileOk;
  runs: ExecuteRun[];
  caps: RecordCaps;
}

export type WorkerJob = ExecuteJob;

/**
 * Worker → host: the records of consecutive runs `first`, `first + 1`, … in
 * order (restarts the host's per-run clock). Batched — at most every
 * RECORD_BATCH_MS or RECORD_BATCH_CHARS — so a grade is ~20 messages, not one
 * per run (each message costs the page a dispatch).
 */
export interface RecordsMessage {
  type: 'records';
  first: number;
  /** Encoded RunRecords (record.ts), each at most `caps.runChars` characters. */
  json: string[];
}

export const RECORD_BATCH_MS = 40;
export const RECORD_BATCH_CHARS = 1 << 20;

/** The job's result: how many runs were executed, or why none could be. */
export type WorkerResult =
  | { ok: true; executed: number }
  | { ok: false; error: 'unknown-exercise' | 'version' | 'bad-job'; message: string };

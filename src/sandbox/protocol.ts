/**
 * Messages between a sandbox host (Node main thread / browser page) and its
 * worker. Generic over the job payload: the grading layer defines jobs/results.
 */

/** host -> worker */
export interface JobRequest<J = unknown> {
  type: 'sandbox:job';
  id: number;
  job: J;
}

/** worker -> host */
export type WorkerToHost<R = unknown> =
  | { type: 'sandbox:ready'; startupMs: number }
  /** Progress/any message from the handler; `restartClock` restarts the host's wall-clock budget. */
  | { type: 'sandbox:message'; id: number; data: unknown; restartClock?: boolean }
  | { type: 'sandbox:result'; id: number; result: R }
  /** The handler itself threw (the worker is still healthy). */
  | { type: 'sandbox:failure'; id: number; message: string };

export type JobOutcome<R = unknown> =
  | { ok: true; result: R }
  | {
      ok: false;
      kind: 'timeout' | 'memory' | 'crashed' | 'aborted';
      /** Bilingual (English / Russian) explanation naming the cause. */
      message: string;
      /** The last message the worker posted for this job before it ended (e.g. which run was active). */
      lastMessage?: unknown;
    };

export interface RunOptions {
  /** Every message the worker posts for this job (progress etc.). */
  onMessage?: (data: unknown) => void;
  signal?: AbortSignal;
  /** Overrides the host's wall-clock budget for this job. */
  wallClockMs?: number;
}

/** What both hosts expose. */
export interface SandboxHost {
  run<J, R>(job: J, options?: RunOptions): Promise<JobOutcome<R>>;
  /** Resolves once a worker is started and ready. */
  warmUp(): Promise<void>;
  /** Stops the worker; pending/queued jobs end as 'aborted'. */
  close(): Promise<void>;
  /** Counters for diagnostics and benchmarks. */
  readonly stats: { workersStarted: number; lastStartupMs: number; jobs: number };
}

export function timeoutMessage(ms: number): string {
  return `Time limit exceeded: the code ran for more than ${ms} ms of real time without finishing (probably an infinite loop); the worker was stopped`
    + ` / Превышено время: код работал дольше ${ms} мс реального времени (вероятно, бесконечный цикл); исполнитель остановлен`;
}

export function memoryMessage(mb: number | undefined): string {
  return `Memory limit exceeded${mb ? ` (${mb} MB)` : ''}: the worker was stopped`
    + ` / Превышен лимит памяти${mb ? ` (${mb} МБ)` : ''}: исполнитель остановлен`;
}

export function crashedMessage(detail: string): string {
  return `The sandbox worker crashed: ${detail} / Исполнитель песочницы аварийно завершился: ${detail}`;
}

export const ABORTED_MESSAGE = 'The run was cancelled / Запуск отменён';

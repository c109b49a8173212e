/**
 * Messages between a sandbox host (Node main thread / browser page) and its
 * worker. Generic over the job payload: the grading layer defines jobs/results.
 */

/** Text in both languages of the course (the UI shows one). */
export interface Bilingual {
  en: string;
  ru: string;
}

/** host -> worker */
export interface JobRequest<J = unknown> {
  type: 'sandbox:job';
  id: number;
  job: J;
}

/** worker -> host */
export type WorkerToHost<R = unknown> =
  | { type: 'sandbox:ready'; startupMs: number }
  /** Progress/any message from the handler; `restartClock` restarts the host's per-segment wall clock. */
  | { type: 'sandbox:message'; id: number; data: unknown; restartClock?: boolean }
  | { type: 'sandbox:result'; id: number; result: R }
  /** The handler itself threw (the worker is still healthy). */
  | { type: 'sandbox:failure'; id: number; message: string };

export type FailureKind = 'timeout' | 'budget' | 'memory' | 'crashed' | 'aborted';

export type JobOutcome<R = unknown> =
  | { ok: true; result: R }
  | {
      ok: false;
      /** timeout: a segment ran past `wallClockMs`; budget: the job ran past `totalMs`. */
      kind: FailureKind;
      /** The explanation naming the cause, in both languages. */
      text: Bilingual;
      /** The same as one "English / Russian" string. */
      message: string;
      /** The last message the worker posted for this job before it ended (e.g. which run was active). */
      lastMessage?: unknown;
    };

export interface RunOptions {
  /** Every message the worker posts for this job (progress etc.). */
  onMessage?: (data: unknown) => void;
  signal?: AbortSignal;
  /** Overrides the host's wall-clock budget of one segment (restarted by messages posted with `restartClock`). */
  wallClockMs?: number;
  /** Real-time budget of the whole job, never restarted (default: none). */
  totalMs?: number;
}

/** What both hosts expose. Every job runs in a fresh worker, which is discarded afterwards. */
export interface SandboxHost {
  run<J, R>(job: J, options?: RunOptions): Promise<JobOutcome<R>>;
  /** Resolves once a (spare) worker is started and ready. */
  warmUp(): Promise<void>;
  /** Stops the workers; pending/queued jobs end as 'aborted'. */
  close(): Promise<void>;
  /** Counters for diagnostics and benchmarks. */
  readonly stats: { workersStarted: number; lastStartupMs: number; jobs: number };
}

export function failure(kind: FailureKind, text: Bilingual, lastMessage?: unknown): Extract<JobOutcome<never>, { ok: false }> {
  return { ok: false, kind, text, message: `${text.en} / ${text.ru}`, ...(lastMessage !== undefined ? { lastMessage } : {}) };
}

export function timeoutText(ms: number): Bilingual {
  return {
    en: `Time limit exceeded: the code ran for more than ${ms} ms of real time without finishing (probably an infinite loop); the worker was stopped`,
    ru: `Превышено время: код работал дольше ${ms} мс реального времени (вероятно, бесконечный цикл); исполнитель остановлен`,
  };
}

export function budgetText(ms: number): Bilingual {
  return {
    en: `Total time budget exceeded: the job ran for more than ${Math.round(ms / 100) / 10} s of real time; the worker was stopped`,
    ru: `Исчерпан общий бюджет времени: задание выполнялось дольше ${Math.round(ms / 100) / 10} с реального времени; исполнитель остановлен`,
  };
}

export function memoryText(mb: number | undefined): Bilingual {
  return {
    en: `Memory limit exceeded${mb ? ` (${mb} MB)` : ''}: the worker was stopped`,
    ru: `Превышен лимит памяти${mb ? ` (${mb} МБ)` : ''}: исполнитель остановлен`,
  };
}

export function crashedText(detail: string): Bilingual {
  const d = detail.length > 300 ? `${detail.slice(0, 300)}…` : detail;
  return { en: `The sandbox worker crashed: ${d}`, ru: `Исполнитель песочницы аварийно завершился: ${d}` };
}

export const ABORTED_TEXT: Bilingual = { en: 'The run was cancelled', ru: 'Запуск отменён' };

/** "English / Russian" forms, for callers that show one string. */
export function timeoutMessage(ms: number): string {
  const t = timeoutText(ms);
  return `${t.en} / ${t.ru}`;
}
export function memoryMessage(mb: number | undefined): string {
  const t = memoryText(mb);
  return `${t.en} / ${t.ru}`;
}
export function crashedMessage(detail: string): string {
  const t = crashedText(detail);
  return `${t.en} / ${t.ru}`;
}
export const ABORTED_MESSAGE = `${ABORTED_TEXT.en} / ${ABORTED_TEXT.ru}`;

/**
 * Worker-side job loop, for Node worker_threads and browser Workers alike.
 *
 *   serveJobs(async (job, io) => { io.post({ type: 'progress', run: 3 }, { restartClock: true }); return result; });
 *
 * Jobs are handled one at a time, in order. The handler's return value (must be
 * structured-cloneable) becomes the host's `{ ok: true, result }`; if the handler
 * throws, the host gets `{ ok: false, kind: 'crashed' }` and the worker stays up.
 */
import type { JobRequest, WorkerToHost } from './protocol.ts';

export interface JobIO {
  /** Posts a message to the host (delivered to `run(..., { onMessage })`). */
  post(data: unknown, options?: { restartClock?: boolean }): void;
}

export type JobHandler<J, R> = (job: J, io: JobIO) => R | Promise<R>;

interface Endpoint {
  postMessage(msg: unknown): void;
  onJob(listener: (msg: unknown) => void): void;
}

function defaultEndpoint(): Endpoint {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; on?: (ev: string, fn: (...a: unknown[]) => void) => void } }).process;
  if (proc?.getBuiltinModule) {
    const wt = proc.getBuiltinModule('node:worker_threads') as { parentPort: { postMessage(m: unknown): void; on(ev: 'message', fn: (m: unknown) => void): void } | null };
    const port = wt.parentPort;
    if (!port) throw new Error('serveJobs: not running in a worker thread');
    // A learner's floating rejected promise must not kill the worker (Node's default).
    proc.on?.('unhandledRejection', () => {});
    return { postMessage: (m) => port.postMessage(m), onJob: (fn) => port.on('message', fn) };
  }
  const self = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', fn: (e: { data: unknown }) => void): void };
  if (typeof self.postMessage !== 'function') throw new Error('serveJobs: no worker endpoint');
  (globalThis as unknown as { addEventListener(t: string, fn: (e: { preventDefault(): void }) => void): void })
    .addEventListener('unhandledrejection', (e) => e.preventDefault());
  return { postMessage: (m) => self.postMessage(m), onJob: (fn) => self.addEventListener('message', (e) => fn(e.data)) };
}

const started = typeof performance !== 'undefined' ? performance.now() : 0;

/** Starts serving jobs; posts `sandbox:ready` at once. */
export function serveJobs<J, R>(handler: JobHandler<J, R>, endpoint: Endpoint = defaultEndpoint()): void {
  const send = (m: WorkerToHost<R>) => endpoint.postMessage(m);
  let chain: Promise<void> = Promise.resolve();
  endpoint.onJob((raw) => {
    const msg = raw as JobRequest<J>;
    if (!msg || msg.type !== 'sandbox:job') return;
    chain = chain.then(async () => {
      const io: JobIO = {
        post: (data, options) => send({ type: 'sandbox:message', id: msg.id, data, restartClock: options?.restartClock === true }),
      };
      try {
        const result = await handler(msg.job, io);
        send({ type: 'sandbox:result', id: msg.id, result });
      } catch (err) {
        let message: string;
        try {
          message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        } catch {
          message = 'unknown error';
        }
        send({ type: 'sandbox:failure', id: msg.id, message });
      }
    });
  });
  send({ type: 'sandbox:ready', startupMs: typeof performance !== 'undefined' ? performance.now() - started : 0 });
}

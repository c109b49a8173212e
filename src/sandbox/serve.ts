/**
 * Worker-side job loop, for Node worker_threads and browser Workers alike.
 *
 *   serveJobs(async (job, io) => { io.post({ type: 'progress', run: 3 }, { restartClock: true }); return result; });
 *
 * Jobs are handled one at a time, in order. The handler's return value (must be
 * structured-cloneable) becomes the host's `{ ok: true, result }`; if the handler
 * throws, the host gets `{ ok: false, kind: 'crashed' }` and the worker stays up.
 *
 * Unhandled promise rejections (a learner's `void work()` that rejects) never
 * kill the worker; they go to the current job's `io.onUnhandledRejection`
 * listener, so the job can attribute them to the run in which they happened.
 */
import type { JobRequest, WorkerToHost } from './protocol.ts';

export interface JobIO {
  /** Posts a message to the host (delivered to `run(..., { onMessage })`). */
  post(data: unknown, options?: { restartClock?: boolean }): void;
  /** Receives the reason of every promise rejection left unhandled while this job runs. */
  onUnhandledRejection(listener: (reason: unknown) => void): void;
}

export type JobHandler<J, R> = (job: J, io: JobIO) => R | Promise<R>;

interface Endpoint {
  postMessage(msg: unknown): void;
  onJob(listener: (msg: unknown) => void): void;
  /** Where unhandled rejections are reported (default: the realm's own event). */
  onUnhandledRejection?(listener: (reason: unknown) => void): void;
}

function defaultEndpoint(): Endpoint {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; on?: (ev: string, fn: (...a: unknown[]) => void) => void } }).process;
  if (proc?.getBuiltinModule) {
    const wt = proc.getBuiltinModule('node:worker_threads') as { parentPort: { postMessage(m: unknown): void; on(ev: 'message', fn: (m: unknown) => void): void } | null };
    const port = wt.parentPort;
    if (!port) throw new Error('serveJobs: not running in a worker thread');
    return {
      postMessage: (m) => port.postMessage(m),
      onJob: (fn) => port.on('message', fn),
      // A listener also stops Node's default (a floating rejected promise would kill the worker).
      onUnhandledRejection: (fn) => proc.on?.('unhandledRejection', (reason) => fn(reason)),
    };
  }
  const self = globalThis as unknown as {
    postMessage(m: unknown): void;
    addEventListener(t: 'message', fn: (e: { data: unknown; ports?: readonly MessagePort[] }) => void): void;
  };
  if (typeof self.postMessage !== 'function') throw new Error('serveJobs: no worker endpoint');
  // The sandbox frame hands over a port to the page (host-browser.ts): once it is here, everything
  // goes through it; before that (or without a frame), through the worker's own channel.
  let port: MessagePort | null = null;
  let listener: ((msg: unknown) => void) | undefined;
  const early: unknown[] = [];
  self.addEventListener('message', (e) => {
    const d = e.data as { type?: string } | null;
    if (!port && d && d.type === 'sandbox-frame:port' && e.ports?.[0]) {
      port = e.ports[0];
      port.onmessage = (ev) => listener?.(ev.data);
      for (const m of early.splice(0)) port.postMessage(m);
      return;
    }
    listener?.(e.data);
  });
  return {
    postMessage: (m) => {
      if (port) port.postMessage(m);
      else if (early.length < 1000) early.push(m);
    },
    onJob: (fn) => {
      listener = fn;
    },
    onUnhandledRejection: (fn) =>
      (globalThis as unknown as { addEventListener(t: string, fn: (e: { preventDefault(): void; reason: unknown }) => void): void })
        .addEventListener('unhandledrejection', (e) => {
          e.preventDefault();
          fn(e.reason);
        }),
  };
}

const started = typeof performance !== 'undefined' ? performance.now() : 0;

/** Starts serving jobs; posts `sandbox:ready` at once. */
export function serveJobs<J, R>(handler: JobHandler<J, R>, endpoint: Endpoint = defaultEndpoint()): void {
  const send = (m: WorkerToHost<R>) => endpoint.postMessage(m);
  let chain: Promise<void> = Promise.resolve();
  let rejectionListener: ((reason: unknown) => void) | undefined;
  endpoint.onUnhandledRejection?.((reason) => {
    try {
      rejectionListener?.(reason);
    } catch {
      /* a listener's bug must not kill the worker */
    }
  });
  endpoint.onJob((raw) => {
    const msg = raw as JobRequest<J>;
    if (!msg || msg.type !== 'sandbox:job') return;
    chain = chain.then(async () => {
      rejectionListener = undefined;
      const io: JobIO = {
        post: (data, options) => send({ type: 'sandbox:message', id: msg.id, data, restartClock: options?.restartClock === true }),
        onUnhandledRejection: (listener) => {
          rejectionListener = listener;
        },
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

/**
 * Browser host: runs jobs in a Worker created inside a sandboxed, opaque-origin
 * iframe (`sandbox="allow-scripts"`, no allow-same-origin) under a strict CSP,
 * so learner code (and the simulator running it) has no DOM, no storage of the
 * app's origin and no network. Messages are relayed page <-> iframe <-> worker
 * over a MessageChannel. On a wall-clock timeout (or abort) the whole iframe is
 * removed — which terminates its worker even if it is spinning — and a fresh
 * one is created; the page itself never runs learner code, so it stays
 * responsive.
 *
 * The worker script must be self-contained (a classic script, no imports):
 * build it with the Vite plugin in ./vite-plugin.ts (`import src from
 * './entry.ts?sandbox-worker'`).
 */
import {
  ABORTED_MESSAGE,
  crashedMessage,
  timeoutMessage,
  type JobOutcome,
  type RunOptions,
  type SandboxHost,
  type WorkerToHost,
} from './protocol.ts';

export type { JobOutcome, RunOptions, SandboxHost } from './protocol.ts';

export interface BrowserHostOptions {
  /** Source text of the self-contained worker script (or a loader of it). */
  workerSource: string | Blob | (() => Promise<string | Blob>);
  /** Hard real-time budget per job (restarted by messages posted with `restartClock`). */
  wallClockMs: number;
  /** Where the hidden iframe goes (default document.body). */
  container?: HTMLElement;
  /** A worker that has not posted `sandbox:ready` by then is given up (default 20 s). */
  startupTimeoutMs?: number;
}

/**
 * CSP of the sandbox frame. 'unsafe-eval' is required: SES Compartments
 * evaluate learner code with the realm's evaluator. connect-src 'none' blocks
 * fetch/XHR/WebSocket/EventSource; script-src without http(s) sources blocks
 * importScripts/import() of remote URLs; the worker inherits this policy.
 */
export const SANDBOX_CSP =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; worker-src blob:; connect-src 'none'; img-src 'none'; style-src 'none'; form-action 'none'; base-uri 'none'";

/** The frame's relay script (runs in the opaque origin; never sees learner code as text). */
const FRAME_SCRIPT = `
(() => {
  let port = null, worker = null, url = null;
  const post = (m) => { if (port) port.postMessage(m); };
  window.addEventListener('message', (e) => {
    const d = e.data;
    if (!d || d.type !== 'sandbox-frame:init' || port) return;
    port = e.ports[0];
    try {
      url = URL.createObjectURL(d.blob);
      worker = new Worker(url, { name: 'sandbox' });
    } catch (err) {
      post({ type: 'sandbox-frame:error', message: 'cannot start worker: ' + (err && err.message) });
      return;
    }
    worker.onmessage = (ev) => post(ev.data);
    worker.onerror = (ev) => { ev.preventDefault(); post({ type: 'sandbox-frame:error', message: ev.message || 'worker error' }); };
    worker.onmessageerror = () => post({ type: 'sandbox-frame:error', message: 'message could not be deserialized' });
    port.onmessage = (ev) => {
      if (ev.data && ev.data.type === 'sandbox-frame:terminate') { worker.terminate(); return; }
      worker.postMessage(ev.data);
    };
    post({ type: 'sandbox-frame:started' });
  });
})();
`;

export function sandboxFrameHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8">`
    + `<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">`
    + `</head><body><script>${FRAME_SCRIPT}</script></body></html>`;
}

interface Active {
  id: number;
  resolve: (o: JobOutcome<unknown>) => void;
  options: RunOptions;
  wallClockMs: number;
  timer?: ReturnType<typeof setTimeout>;
  lastMessage?: unknown;
  onAbort?: () => void;
}

interface Slot {
  iframe: HTMLIFrameElement;
  port: MessagePort;
  ready: Promise<void>;
  dead: boolean;
}

export function createBrowserHost(options: BrowserHostOptions): SandboxHost {
  const stats = { workersStarted: 0, lastStartupMs: 0, jobs: 0 };
  let blobPromise: Promise<Blob> | undefined;
  let slot: Slot | undefined;
  let active: Active | undefined;
  let nextId = 1;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const getBlob = (): Promise<Blob> => {
    blobPromise ??= (async () => {
      const src = typeof options.workerSource === 'function' ? await options.workerSource() : options.workerSource;
      return src instanceof Blob ? src : new Blob([src], { type: 'text/javascript' });
    })();
    return blobPromise;
  };

  function finish(outcome: JobOutcome<unknown>): void {
    const a = active;
    if (!a) return;
    active = undefined;
    if (a.timer) clearTimeout(a.timer);
    if (a.onAbort) a.options.signal?.removeEventListener('abort', a.onAbort);
    a.resolve(outcome);
  }

  function kill(s: Slot): void {
    if (s.dead) return;
    s.dead = true;
    if (slot === s) slot = undefined;
    try {
      s.port.postMessage({ type: 'sandbox-frame:terminate' });
    } catch {
      /* ignore */
    }
    s.port.close();
    s.iframe.remove(); // destroys the frame's browsing context and its worker
  }

  function spawn(blob: Blob): Slot {
    const t0 = performance.now();
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('aria-hidden', 'true');
    iframe.setAttribute('tabindex', '-1');
    iframe.title = 'sandbox';
    iframe.dataset.sandboxFrame = '';
    iframe.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
    iframe.srcdoc = sandboxFrameHtml();
    const channel = new MessageChannel();
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const s: Slot = { iframe, port: channel.port1, dead: false, ready: new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; }) };
    s.ready.catch(() => {});
    stats.workersStarted++;
    const startupTimer = setTimeout(() => {
      if (s.dead) return;
      readyReject(new Error('the sandbox worker did not start in time'));
      kill(s);
    }, options.startupTimeoutMs ?? 20_000);
    s.ready.then(() => clearTimeout(startupTimer), () => clearTimeout(startupTimer));

    channel.port1.onmessage = (ev: MessageEvent) => {
      const msg = ev.data as WorkerToHost | { type: 'sandbox-frame:error' | 'sandbox-frame:started'; message?: string };
      if (!msg || typeof msg !== 'object' || s.dead) return;
      if (msg.type === 'sandbox-frame:started') return;
      if (msg.type === 'sandbox:ready') {
        stats.lastStartupMs = performance.now() - t0;
        readyResolve();
        return;
      }
      if (msg.type === 'sandbox-frame:error') {
        readyReject(new Error(msg.message ?? 'worker error'));
        const a = active;
        kill(s);
        if (a) finish({ ok: false, kind: 'crashed', message: crashedMessage(msg.message ?? 'worker error'), lastMessage: a.lastMessage });
        return;
      }
      const a = active;
      if (!a || !('id' in msg) || a.id !== msg.id) return;
      if (msg.type === 'sandbox:message') {
        a.lastMessage = msg.data;
        if (msg.restartClock) armTimer(a);
        try {
          a.options.onMessage?.(msg.data);
        } catch {
          /* listener bug */
        }
      } else if (msg.type === 'sandbox:result') {
        finish({ ok: true, result: msg.result });
      } else if (msg.type === 'sandbox:failure') {
        finish({ ok: false, kind: 'crashed', message: crashedMessage(msg.message), lastMessage: a.lastMessage });
      }
    };
    iframe.addEventListener('load', () => {
      if (s.dead) return;
      iframe.contentWindow?.postMessage({ type: 'sandbox-frame:init', blob }, '*', [channel.port2]);
    }, { once: true });
    (options.container ?? document.body).appendChild(iframe);
    return s;
  }

  async function current(): Promise<Slot> {
    const blob = await getBlob();
    if (!slot || slot.dead) slot = spawn(blob);
    return slot;
  }

  function armTimer(a: Active): void {
    if (a.timer) clearTimeout(a.timer);
    a.timer = setTimeout(() => {
      if (active !== a) return;
      const s = slot;
      finish({ ok: false, kind: 'timeout', message: timeoutMessage(a.wallClockMs), lastMessage: a.lastMessage });
      if (s) kill(s);
      if (!closed) void current(); // warm replacement
    }, a.wallClockMs);
  }

  async function runOne<J, R>(job: J, runOptions: RunOptions): Promise<JobOutcome<R>> {
    if (closed || runOptions.signal?.aborted) return { ok: false, kind: 'aborted', message: ABORTED_MESSAGE };
    stats.jobs++;
    let s = await current();
    try {
      await s.ready;
    } catch {
      s = await current();
      try {
        await s.ready;
      } catch (err) {
        return { ok: false, kind: 'crashed', message: crashedMessage(`worker failed to start: ${(err as Error).message}`) };
      }
    }
    return new Promise<JobOutcome<R>>((resolve) => {
      const a: Active = {
        id: nextId++,
        resolve: resolve as (o: JobOutcome<unknown>) => void,
        options: runOptions,
        wallClockMs: runOptions.wallClockMs ?? options.wallClockMs,
      };
      active = a;
      if (runOptions.signal) {
        a.onAbort = () => {
          if (active !== a) return;
          finish({ ok: false, kind: 'aborted', message: ABORTED_MESSAGE, lastMessage: a.lastMessage });
          kill(s);
          if (!closed) void current();
        };
        runOptions.signal.addEventListener('abort', a.onAbort, { once: true });
      }
      armTimer(a);
      try {
        s.port.postMessage({ type: 'sandbox:job', id: a.id, job });
      } catch (err) {
        finish({ ok: false, kind: 'crashed', message: crashedMessage(`job could not be sent: ${(err as Error).message}`) });
      }
    });
  }

  return {
    stats,
    run<J, R>(job: J, runOptions: RunOptions = {}): Promise<JobOutcome<R>> {
      const p = queue.then(() => runOne<J, R>(job, runOptions));
      queue = p.catch(() => {});
      return p;
    },
    async warmUp(): Promise<void> {
      await (await current()).ready;
    },
    async close(): Promise<void> {
      closed = true;
      if (active) finish({ ok: false, kind: 'aborted', message: ABORTED_MESSAGE, lastMessage: active.lastMessage });
      if (slot) kill(slot);
    },
  };
}

/**
 * Browser host: runs each job in a fresh Worker created inside its own
 * sandboxed, opaque-origin iframe (`sandbox="allow-scripts"`, no
 * allow-same-origin) under a strict CSP, so learner code (and the simulator
 * running it) has no DOM, no storage of the app's origin and no network.
 * The page talks to the worker over a MessageChannel port the frame hands to
 * the worker (no relay through the frame's thread). When a
 * job ends — result, wall clock, abort — the whole iframe is removed, which
 * terminates its worker even if it is spinning; the next job runs in the spare
 * frame started meanwhile (job-host.ts). The page itself never runs learner
 * code, so it stays responsive. A worker's memory cannot be measured or capped
 * from the page: the wall clocks end a memory bomb.
 *
 * The worker script must be self-contained (a classic script, no imports):
 * build it with the Vite plugin in ./vite-plugin.ts (`import src from
 * './entry.ts?sandbox-worker'`).
 */
import { createJobHost, readyLatch, type WorkerHandle } from './job-host.ts';
import { crashedText, type SandboxHost, type WorkerToHost } from './protocol.ts';

export type { JobOutcome, RunOptions, SandboxHost } from './protocol.ts';

export interface BrowserHostOptions {
  /** Source text of the self-contained worker script (or a loader of it). */
  workerSource: string | Blob | (() => Promise<string | Blob>);
  /** Hard real-time budget of one job segment (restarted by messages posted with `restartClock`). */
  wallClockMs: number;
  /** Keep a started frame ready for the next job (default true). */
  spare?: boolean;
  /** Real ms after a job's end before the spare frame is created (default 300): the page renders the result first. */
  spareDelayMs?: number;
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

/**
 * The frame's script (runs in the opaque origin; never sees learner code as
 * text): starts the blob Worker and hands it the page's data port, so jobs,
 * records and results go page <-> worker directly (no hop through the frame);
 * the control port carries the frame's own news (started, worker errors).
 */
const FRAME_SCRIPT = `
(() => {
  let control = null, worker = null;
  const post = (m) => { if (control) control.postMessage(m); };
  window.addEventListener('message', (e) => {
    const d = e.data;
    if (!d || d.type !== 'sandbox-frame:init' || control || e.ports.length !== 2) return;
    control = e.ports[1];
    try {
      worker = new Worker(URL.createObjectURL(d.blob), { name: 'sandbox' });
    } catch (err) {
      post({ type: 'sandbox-frame:error', message: 'cannot start worker: ' + (err && err.message) });
      return;
    }
    worker.postMessage({ type: 'sandbox-frame:port' }, [e.ports[0]]);
    worker.onmessage = (ev) => post(ev.data);
    worker.onerror = (ev) => { ev.preventDefault(); post({ type: 'sandbox-frame:error', message: ev.message || 'worker error' }); };
    worker.onmessageerror = () => post({ type: 'sandbox-frame:error', message: 'message could not be deserialized' });
    control.onmessage = (ev) => { if (ev.data && ev.data.type === 'sandbox-frame:terminate') worker.terminate(); };
    post({ type: 'sandbox-frame:started' });
  });
})();
`;

export function sandboxFrameHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8">`
    + `<meta http-equiv="Content-Security-Policy" content="${SANDBOX_CSP}">`
    + `</head><body><script>${FRAME_SCRIPT}</script></body></html>`;
}

export function createBrowserHost(options: BrowserHostOptions): SandboxHost {
  let blob: Blob | undefined;
  const prepare = async (): Promise<void> => {
    const src = typeof options.workerSource === 'function' ? await options.workerSource() : options.workerSource;
    blob = src instanceof Blob ? src : new Blob([src], { type: 'text/javascript' });
  };

  return createJobHost({
    wallClockMs: options.wallClockMs,
    spare: options.spare ?? true,
    spareDelayMs: options.spareDelayMs ?? 300,
    prepare,
    spawn(events): WorkerHandle {
      const t0 = performance.now();
      const iframe = document.createElement('iframe');
      iframe.setAttribute('sandbox', 'allow-scripts');
      iframe.setAttribute('aria-hidden', 'true');
      iframe.setAttribute('tabindex', '-1');
      iframe.title = 'sandbox';
      iframe.dataset.sandboxFrame = '';
      iframe.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
      iframe.srcdoc = sandboxFrameHtml();
      const data = new MessageChannel(); // page <-> worker, handed to the worker by the frame
      const control = new MessageChannel(); // page <-> frame
      let dead = false;
      const { promise: ready, resolve: readyResolve, reject: readyReject } = readyLatch();
      const kill = () => {
        if (dead) return;
        dead = true;
        clearTimeout(startupTimer);
        try {
          control.port1.postMessage({ type: 'sandbox-frame:terminate' });
        } catch {
          /* ignore */
        }
        data.port1.close();
        control.port1.close();
        iframe.remove(); // destroys the frame's browsing context and its worker
      };
      const startupTimer = setTimeout(() => {
        if (dead) return;
        readyReject(new Error('the sandbox worker did not start in time'));
        kill();
      }, options.startupTimeoutMs ?? 20_000);

      const onMessage = (ev: MessageEvent) => {
        const msg = ev.data as WorkerToHost | { type: 'sandbox-frame:error' | 'sandbox-frame:started'; message?: string };
        if (!msg || typeof msg !== 'object' || dead) return;
        if (msg.type === 'sandbox-frame:started') return;
        if (msg.type === 'sandbox:ready') {
          clearTimeout(startupTimer);
          events.started(performance.now() - t0);
          readyResolve();
          return;
        }
        if (msg.type === 'sandbox-frame:error') {
          const text = crashedText(String(msg.message ?? 'worker error'));
          readyReject(new Error(text.en));
          kill();
          events.failed('crashed', text);
          return;
        }
        events.message(msg as WorkerToHost);
      };
      data.port1.onmessage = onMessage;
      control.port1.onmessage = onMessage;
      iframe.addEventListener('load', () => {
        if (dead) return;
        iframe.contentWindow?.postMessage({ type: 'sandbox-frame:init', blob }, '*', [data.port2, control.port2]);
      }, { once: true });
      (options.container ?? document.body).appendChild(iframe);
      return { ready, post: (m) => data.port1.postMessage(m), kill };
    },
  });
}

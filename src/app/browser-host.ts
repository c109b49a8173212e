import { createBrowserHost } from '../sandbox/host-browser.ts';
import type { SandboxHost } from '../sandbox/protocol.ts';

/** Real-time budget of one job segment (a run, or one run of a grade: progress restarts the clock). */
export const WALL_CLOCK_MS = 5000;

/**
 * The sandbox's browser host (opaque-origin iframe + Worker) running the grading
 * worker entry. The worker script is its own lazily fetched chunk.
 */
export function createAppSandboxHost(): SandboxHost {
  const host = createBrowserHost({
    workerSource: async () => (await import('../grading/worker-entry.ts?sandbox-worker')).default,
    wallClockMs: WALL_CLOCK_MS,
  });
  return host;
}

import { createBrowserHost } from '../sandbox/host-browser.ts';
import type { SandboxHost } from '../sandbox/protocol.ts';

import { WALL_CLOCK_MS } from './worker-client.ts';

/**
 * The sandbox's browser host (opaque-origin iframe + Worker, a fresh one per
 * job with a warm spare) running the executing worker entry. The worker script
 * (no compiler inside, ~150 KB) is its own lazily fetched chunk.
 */
export function createAppSandboxHost(): SandboxHost {
  return createBrowserHost({
    workerSource: async () => (await import('../grading/worker-entry.ts?sandbox-worker')).default,
    wallClockMs: WALL_CLOCK_MS,
  });
}

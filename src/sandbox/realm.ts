/**
 * The sandbox realm: SES `lockdown()` of the worker's intrinsics.
 *
 * Call {@link prepareSandboxRealm} exactly in the worker that will evaluate
 * learner code (Node worker_threads worker or browser Worker) — NEVER in the
 * UI realm or in the vitest main process: lockdown freezes every intrinsic of
 * the realm it runs in.
 *
 * Importing this module loads the `ses` shim (which only adds `lockdown`,
 * `harden` and `Compartment` globals); freezing happens in prepareSandboxRealm.
 */
import 'ses';
import { installLearnerStacks } from './learner-stacks.ts';

/** Globals added by the `ses` shim. */
const sesGlobals = globalThis as unknown as {
  lockdown(options?: Record<string, string>): void;
  harden<T>(value: T): T;
};

let prepared = false;

// The engine's own Error, before lockdown replaces the global with SES's: the
// constructor whose prepareStackTrace / stackTraceLimit V8 actually reads.
const feralError = globalThis.Error;

/** Options used for lockdown (recorded in docs/decisions.md). */
export const LOCKDOWN_OPTIONS = {
  // Keep `err.stack` readable: describeError maps learner frames through the
  // source map. Host frames are never formatted (learner-stacks.ts).
  errorTaming: 'unsafe',
  stackFiltering: 'verbose',
  // The host console stays the host console; learners get their own console endowment.
  consoleTaming: 'unsafe',
  // Node's `domain` module is never loaded in our workers.
  domainTaming: 'unsafe',
  // Lets ordinary code (kernel, libraries) assign e.g. `obj.toString = ...` on
  // objects whose prototype is frozen ("override mistake").
  overrideTaming: 'moderate',
  // Compartments evaluate learner code through the SES safe evaluator.
  evalTaming: 'safe-eval',
  // Our own handlers decide what an uncaught error / unhandled rejection means
  // (serveJobs keeps the worker alive; the kernel traces service errors).
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  // No console noise (e.g. "Removing unpermitted intrinsics" for new
  // iterator helpers in Chromium): the removal itself still happens.
  reporting: 'none',
} as const;

/**
 * Locks down the current realm once (idempotent). Returns the time it took in
 * ms (0 when it was already prepared).
 */
export function prepareSandboxRealm(options: { allowMainThread?: boolean } = {}): number {
  if (prepared) return 0;
  if (!options.allowMainThread && isMainThread()) {
    throw new Error('prepareSandboxRealm(): refusing to lock down a main thread (UI realm or test runner); call it in the sandbox worker');
  }
  const t0 = performance.now();
  sesGlobals.lockdown({ ...LOCKDOWN_OPTIONS });
  installLearnerStacks(feralError, globalThis.Error);
  prepared = true;
  return performance.now() - t0;
}

/** Node main thread, or a browser window (not a worker). */
function isMainThread(): boolean {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown }; document?: unknown; WorkerGlobalScope?: unknown };
  if (g.process?.getBuiltinModule) {
    const wt = g.process.getBuiltinModule('node:worker_threads') as { isMainThread: boolean };
    return wt.isMainThread;
  }
  return typeof g.document !== 'undefined' && typeof g.WorkerGlobalScope === 'undefined';
}

/** True once prepareSandboxRealm() has run in this realm. */
export function isSandboxRealm(): boolean {
  return prepared;
}

/**
 * Deep-freezes an object graph (SES `harden`): use it for objects handed to
 * learner code. Only valid after prepareSandboxRealm().
 */
export function harden<T>(value: T): T {
  if (!prepared) throw new Error('harden() before prepareSandboxRealm(): the sandbox realm is not locked down');
  return sesGlobals.harden(value);
}

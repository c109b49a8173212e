// The learner runtime: everything exported here is learner API. The grader hands these
// functions (plus DEFAULT_CALL_TIMEOUT_MS of types.ts) to the sandbox as the module
// '@mdl/<exercise>' (src/grading/learner-module.ts); api.d.ts declares them
// (src/grading/runtime-dts.node.ts). Guards test `name`, the stable part of an error:
// errors may be copied on their way into the sandbox, so `instanceof` is not reliable.

/**
 * Values you can import (not only types): `import { isRpcTimeout, isRemoteError } from
 * '@mdl/<exercise>'`. Each guard narrows a caught `unknown` to the simulator's error type.
 */
import type { DatabaseWriteError, RemoteError, RpcTimeout, SimErrorLike, SimErrorName, StaleIncarnation, UniqueViolation, WriteConflict } from './types.ts';

function named(e: unknown, name: string): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;
}

/** The call got no answer in time: the request may or may not have been executed. */
export function isRpcTimeout(e: unknown): e is RpcTimeout {
  return named(e, 'RpcTimeout');
}

/** The other service answered with an error (its handler threw, or it has no such handler): see `e.remote`. */
export function isRemoteError(e: unknown): e is RemoteError {
  return named(e, 'RemoteError');
}

/** A key or unique constraint was taken (at `tx.insert`, or at the awaited commit when a concurrent transaction won). */
export function isUniqueViolation(e: unknown): e is UniqueViolation {
  return named(e, 'UniqueViolation');
}

/** A commit was refused because a row it wrote changed meanwhile (first-committer-wins, `expect`): retry the whole transaction. */
export function isWriteConflict(e: unknown): e is WriteConflict {
  return named(e, 'WriteConflict');
}

/** A commit failed (injected disk fault): nothing of the transaction was written. */
export function isDatabaseWriteError(e: unknown): e is DatabaseWriteError {
  return named(e, 'DatabaseWriteError');
}

/** This incarnation crashed: its late calls are refused (the code of a dead incarnation should just stop). */
export function isStaleIncarnation(e: unknown): e is StaleIncarnation {
  return named(e, 'StaleIncarnation');
}

/** Any error the simulator raises, optionally of one kind: `isSimError(e, 'NoSuchRow')`. */
export function isSimError(e: unknown, name?: SimErrorName): e is SimErrorLike {
  if (typeof e !== 'object' || e === null) return false;
  const n = (e as { name?: unknown }).name;
  return name === undefined ? typeof n === 'string' && Object.prototype.hasOwnProperty.call(SIM_ERROR_NAMES, n) : n === name;
}

// A record, so the compiler checks it lists every SimErrorName and nothing else.
const SIM_ERROR_NAMES: Record<SimErrorName, true> = {
  NotJson: true, RpcTimeout: true, RemoteError: true, Unavailable: true, UniqueViolation: true, WriteConflict: true, NoSuchRow: true,
  NoSuchTable: true, DatabaseWriteError: true, StaleIncarnation: true, PublishTimeout: true, BadArgument: true,
};

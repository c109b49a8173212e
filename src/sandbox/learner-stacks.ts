/**
 * Stack traces in the sandbox realm show learner frames only.
 *
 * V8 formats `err.stack` with the realm's `Error.prepareStackTrace`. Left to
 * SES (`errorTaming: 'unsafe'`), every stack — of the learner's own
 * `new Error()`, of kernel errors it catches — lists host frames: file paths of
 * the checkout (the digest changed with the directory the CLI ran from), the
 * worker's random `blob:` URL in the browser, and the host call chain, which
 * differs between Run and Grade and between the CLI and the browser. Here the
 * formatter keeps only frames of code evaluated as `learner:///<file>`, written
 * as V8 writes them (`    at fn (learner:///solution.ts:12:5)`), so
 * describeError still maps them through the source map. It is installed once,
 * after lockdown, on the realm's original Error constructor, and made
 * read-only there and on the start compartment's `Error` together with
 * `stackTraceLimit`: neither is state that code in the realm can change, so
 * nothing carries from one run (or job) to the next through them.
 */
import { errorText } from '../sim/boundary.ts';
import { LEARNER_URL_PREFIX } from './errors.ts';

/** What V8 hands to prepareStackTrace (the methods used here). */
interface CallSite {
  getFileName(): string | null | undefined;
  /** Where `//# sourceURL` names evaluated code (getFileName is empty for it). */
  getScriptNameOrSourceURL?(): string | null | undefined;
  getFunctionName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  isAsync?(): boolean;
  isConstructor(): boolean;
}

/** Frames captured per error (V8's default): fixed, so stacks look the same everywhere. */
export const STACK_TRACE_LIMIT = 10;

function frameOf(cs: CallSite): string | undefined {
  const file = cs.getScriptNameOrSourceURL?.() ?? cs.getFileName();
  if (typeof file !== 'string' || !file.startsWith(LEARNER_URL_PREFIX)) return undefined;
  const where = `${file}:${cs.getLineNumber() ?? 0}:${cs.getColumnNumber() ?? 0}`;
  const fn = cs.getFunctionName();
  const prefix = (cs.isAsync?.() ? 'async ' : '') + (cs.isConstructor() && fn ? 'new ' : '');
  return `\n    at ${prefix}${fn ? `${fn} (${where})` : where}`;
}

/** `Name: message` + the learner's frames; never runs getters of the error (boundary.ts). */
export function learnerStack(error: unknown, callSites: readonly CallSite[]): string {
  let out: string;
  try {
    out = typeof error === 'object' && error !== null ? errorText(error as Error) : 'Error';
  } catch {
    out = 'Error';
  }
  for (const cs of callSites) {
    try {
      out += frameOf(cs) ?? '';
    } catch {
      /* a frame V8 cannot describe */
    }
  }
  return out;
}

const readOnly = (value: unknown) => ({ value, writable: false, enumerable: false, configurable: false });
const ignoredAccessor = (value: unknown) => ({ get: () => value, set: () => {}, enumerable: false, configurable: false });

/**
 * Installs learnerStack on `feralError` (the engine's Error, captured before
 * lockdown) and freezes it; on `initialError` (the start compartment's Error
 * after lockdown, whose SES accessors would write through to the engine's)
 * the same settings become fixed accessors that ignore assignment.
 */
export function installLearnerStacks(feralError: ErrorConstructor, initialError: ErrorConstructor): void {
  Object.defineProperties(feralError, {
    prepareStackTrace: readOnly(learnerStack),
    stackTraceLimit: readOnly(STACK_TRACE_LIMIT),
  });
  Object.freeze(feralError);
  if (initialError !== feralError && !Object.isFrozen(initialError)) {
    Object.defineProperties(initialError, {
      prepareStackTrace: ignoredAccessor(learnerStack),
      stackTraceLimit: ignoredAccessor(STACK_TRACE_LIMIT),
    });
    Object.freeze(initialError);
  }
}

/**
 * Learner module instances, INSIDE the worker realm (after prepareSandboxRealm()).
 *
 * createModuleFactory(compiled) returns a ModuleFactory: each call runs the
 * (once evaluated) learner module with deterministic globals bound to the given
 * ModuleEnv (seeded Math.random, virtual UTC Date / performance.now, virtual
 * timers, seeded crypto.randomUUID) and returns its exports object. Module-level
 * state therefore lives exactly as long as one service incarnation.
 *
 * Every function handed to learner code is a host function (host-function.ts):
 * its source text is `[native code]` in Node and in the browser alike. Console
 * arguments are turned into bounded text here, without running learner getters,
 * so the host's log sink only ever sees strings.
 */
import { logText } from '../sim/boundary.ts';
import type { CompileOk } from './compile.ts';
import { describeError, learnerUrl, type ErrorDescription } from './errors.ts';
import { hostFunction } from './host-function.ts';
import { isSandboxRealm } from './realm.ts';
import { makeDateClass } from './utc-date.ts';

export { describeError, type ErrorDescription };
export { exposeToLearner } from './facade.ts';

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** The seam with the kernel: what one module instance may use. */
export interface ModuleEnv {
  /** Seeded random number in [0, 1). */
  random(): number;
  /** Virtual time in ms since the start of the run. */
  now(): number;
  setTimer(fn: () => void, ms: number): number;
  clearTimer(id: number): void;
  /** Where the learner's `console.*` goes (default: discarded). */
  log?(level: ConsoleLevel, args: unknown[]): void;
}

export type ModuleFactory = (env: ModuleEnv) => Record<string, unknown>;

export interface ModuleFactoryOptions {
  /** Virtual wall-clock epoch: `Date.now()` = epochMs + env.now(). Default 2025-01-01T00:00:00Z. */
  epochMs?: number;
  /** Loop iterations allowed within one synchronous turn before the loop guard throws. Default 10 000 000. */
  loopLimit?: number;
  /** Values for `require(name)` / value imports allowed at compile time (hardened before use). */
  modules?: Record<string, unknown>;
  /** Total bytes of ArrayBuffers / typed arrays one module instance may allocate. Default 128 MB. */
  maxBufferBytes?: number;
  /** Extra globals (hardened before use). */
  globals?: Record<string, unknown>;
}

export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1);
export const DEFAULT_LOOP_LIMIT = 10_000_000;
export const DEFAULT_MAX_BUFFER_BYTES = 128 * 1024 * 1024;

const BUFFER_CTORS = [
  'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const;

/**
 * ArrayBuffer memory lives outside the V8 heap, so resourceLimits do not cap
 * it: the compartment gets constructors that charge a per-instance byte budget
 * (a clear error at the learner's line). The Node host also watches the
 * process's arrayBuffers as a hard backstop.
 */
function makeBufferConstructors(maxBytes: number): Record<string, unknown> {
  let used = 0;
  const charge = (bytes: number) => {
    if (!Number.isFinite(bytes) || bytes < 0) return;
    if (used + bytes > maxBytes) {
      throw limitError(
        `Memory limit: this module may allocate at most ${Math.round(maxBytes / 1048576)} MB of ArrayBuffers / typed arrays (asked for ${Math.round(bytes / 1048576)} MB more)`
          + ` / Лимит памяти: модуль может выделить не больше ${Math.round(maxBytes / 1048576)} МБ под ArrayBuffer / типизированные массивы (запрошено ещё ${Math.round(bytes / 1048576)} МБ)`,
      );
    }
    used += bytes;
  };
  const out: Record<string, unknown> = {};
  for (const name of BUFFER_CTORS) {
    const Real = (globalThis as unknown as Record<string, new (...a: unknown[]) => object>)[name]!;
    const bpe = (Real as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const Capped = {
      [name]: function (this: unknown, ...args: unknown[]) {
        if (!new.target) throw new TypeError(`Constructor ${name} requires 'new'`);
        const a0 = args[0];
        if (name === 'ArrayBuffer') {
          // Resizable buffers can grow to maxByteLength later: charge that.
          const max = (args[1] as { maxByteLength?: unknown } | undefined)?.maxByteLength;
          charge(Math.max(Number(a0 ?? 0) || 0, Number(max ?? 0) || 0));
        }
        else if (name !== 'DataView') {
          if (typeof a0 === 'number' || typeof a0 === 'bigint') charge(Number(a0) * bpe);
          else if (a0 && typeof a0 === 'object' && !(a0 instanceof ArrayBuffer)) {
            const len = (a0 as { length?: unknown }).length;
            if (typeof len === 'number') charge(len * bpe);
          }
        }
        // new.target is the exposed Proxy (or a learner subclass): its prototype is Real.prototype.
        return Reflect.construct(Real, args, new.target);
      },
    }[name]!;
    for (const key of Reflect.ownKeys(Real)) {
      if (key === 'prototype' || key === 'length' || key === 'name') continue;
      Object.defineProperty(Capped, key, Object.getOwnPropertyDescriptor(Real, key)!);
    }
    Object.defineProperty(Capped, 'prototype', { value: Real.prototype, writable: false });
    out[name] = hostFunction(Capped, false);
  }
  // Shared memory is never needed by learner code.
  out.SharedArrayBuffer = undefined;
  return out;
}

interface CompartmentLike {
  globalThis: Record<string, unknown>;
  evaluate(source: string): unknown;
}
type CompartmentCtor = new (options: Record<string, unknown>) => CompartmentLike;

const hardenFn = <T>(v: T): T => (globalThis as unknown as { harden: <X>(x: X) => X }).harden(v);

/** Error raised by sandbox limits; `learnerLine` is read by describeError. */
function limitError(message: string, line?: number): Error {
  const e = new RangeError(message);
  if (line !== undefined) Object.defineProperty(e, 'learnerLine', { value: line, enumerable: false });
  return e;
}

function makeMath(env: ModuleEnv): Math {
  const m = {} as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(Math)) {
    if (key === 'random') continue;
    Object.defineProperty(m, key, Object.getOwnPropertyDescriptor(Math, key)!);
  }
  Object.defineProperty(m, 'random', { value: hostFunction({ random() { return env.random(); } }.random), writable: true, configurable: true });
  return m as unknown as Math;
}

function randomBytes(env: ModuleEnv, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.floor(env.random() * 256) & 255);
  return out;
}

function makeCrypto(env: ModuleEnv) {
  return {
    randomUUID: hostFunction({ randomUUID(): string {
      const b = randomBytes(env, 16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    } }.randomUUID),
    getRandomValues: hostFunction({ getRandomValues<T extends ArrayBufferView>(array: T): T {
      if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
        throw new TypeError('crypto.getRandomValues needs an integer typed array');
      }
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      const rnd = randomBytes(env, bytes.length);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rnd[i]!;
      return array;
    } }.getRandomValues),
  };
}

function makeTimers(env: ModuleEnv) {
  // Interval ids are negative so they never collide with the kernel's timer ids.
  const intervals = new Map<number, number>();
  let nextInterval = 1;
  const check = (fn: unknown, what: string) => {
    if (typeof fn !== 'function') {
      throw new TypeError(`${what} needs a function (strings are never evaluated) / ${what} принимает только функцию`);
    }
  };
  const delay = (ms: unknown) => {
    const n = Number(ms);
    return Number.isFinite(n) && n > 0 ? n : 0;
  };
  const clear = (id?: unknown): void => {
    if (typeof id !== 'number') return;
    if (id < 0) {
      const cur = intervals.get(id);
      if (cur !== undefined) env.clearTimer(cur);
      intervals.delete(id);
    } else env.clearTimer(id);
  };
  return {
    setTimeout: hostFunction({ setTimeout(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
      check(fn, 'setTimeout');
      return env.setTimer(() => fn(...args), delay(ms));
    } }.setTimeout),
    clearTimeout: hostFunction({ clearTimeout(id?: unknown) { clear(id); } }.clearTimeout),
    setInterval: hostFunction({ setInterval(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
      check(fn, 'setInterval');
      const id = -nextInterval++;
      // At least 1 virtual ms between ticks: a 0-ms interval would never let time advance.
      const period = Math.max(1, delay(ms));
      const tick = () => {
        if (!intervals.has(id)) return;
        intervals.set(id, env.setTimer(tick, period));
        fn(...args);
      };
      intervals.set(id, env.setTimer(tick, period));
      return id;
    } }.setInterval),
    clearInterval: hostFunction({ clearInterval(id?: unknown) { clear(id); } }.clearInterval),
  };
}

/** Console methods: arguments become bounded text here (no learner getters, toJSON or toString run later). */
function makeConsole(env: ModuleEnv) {
  const out = (level: ConsoleLevel) => hostFunction({
    [level](...args: unknown[]) {
      if (env.log) env.log(level, args.map((a) => logText(a)));
    },
  }[level]!);
  return { log: out('log'), info: out('info'), warn: out('warn'), error: out('error'), debug: out('debug') };
}

function makeLoopGuard(limit: number) {
  let count = 0;
  let resetScheduled = false;
  const reset = () => {
    count = 0;
    resetScheduled = false;
  };
  return hostFunction({ loopGuard(line: number): void {
    if (++count > limit) {
      throw limitError(
        `Loop at line ${line} ran more than ${limit} iterations without yielding: probably an infinite loop`
          + ` / Цикл в строке ${line} выполнил больше ${limit} итераций без передачи управления: вероятно, бесконечный цикл`,
        line,
      );
    }
    if (!resetScheduled) {
      // The count only covers one synchronous turn: any await/timer resets it.
      resetScheduled = true;
      void Promise.resolve().then(reset);
    }
  } }.loopGuard);
}

function makeRequire(modules: Record<string, unknown>) {
  return hostFunction({ require(name: unknown): unknown {
    if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    const shown = JSON.stringify(typeof name === 'string' ? name.slice(0, 100) : typeof name);
    throw new Error(`Modules are not available in the sandbox: require(${shown}) / Модули недоступны в песочнице: require(${shown})`);
  } }.require);
}

/** The deterministic globals of one module instance (exported for tests). */
export function makeSandboxGlobals(env: ModuleEnv, options: ModuleFactoryOptions = {}): Record<string, unknown> {
  const epochMs = options.epochMs ?? DEFAULT_EPOCH_MS;
  const timers = makeTimers(env);
  return {
    Math: makeMath(env),
    // Integer milliseconds like a real Date (the kernel's virtual time may be fractional).
    Date: makeDateClass(() => Math.floor(epochMs + env.now())),
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    setInterval: timers.setInterval,
    clearInterval: timers.clearInterval,
    queueMicrotask: hostFunction({ queueMicrotask(fn: () => void) {
      if (typeof fn !== 'function') throw new TypeError('queueMicrotask needs a function');
      void Promise.resolve().then(fn);
    } }.queueMicrotask),
    crypto: makeCrypto(env),
    performance: { now: hostFunction({ now() { return env.now(); } }.now), timeOrigin: epochMs },
    console: makeConsole(env),
    ...makeBufferConstructors(options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES),
    ...(options.globals ?? {}),
  };
}

/**
 * A host-provided value (a module such as `@mdl/<exercise>`'s error guards, an
 * extra global) as learner code may hold it: its functions become host
 * functions (native source text, like every other endowment), objects are
 * copied one level at a time; the caller hardens the result.
 */
function asHostValue(v: unknown, depth: number): unknown {
  if (typeof v === 'function') return hostFunction(v as (...a: unknown[]) => unknown);
  if (v === null || typeof v !== 'object' || depth > 4 || Array.isArray(v)) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // class instances pass as they are (hardened)
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = asHostValue((v as Record<string, unknown>)[key], depth + 1);
  return out;
}

/**
 * Globals of the shared compartment itself (reachable as `globalThis.X`, or by
 * code built with `new Function`): its `Date` is a clockless UTC Date (SES's
 * shared Date parses in the host's time zone), and there is no `Compartment`
 * (a child compartment would get SES's Date again).
 */
let compartmentGlobals: Record<string, unknown> | undefined;
function sharedCompartmentGlobals(): Record<string, unknown> {
  compartmentGlobals ??= hardenFn({ Date: makeDateClass(null), Compartment: undefined });
  return compartmentGlobals;
}

/**
 * Builds the factory for one compiled learner module. Must run in a realm
 * prepared with prepareSandboxRealm().
 *
 * The source is evaluated once, in one Compartment whose global object is then
 * frozen, as a function whose parameters are the deterministic globals; each
 * instance calls it with its own globals and its own loop guard. Lexical
 * references (`Math.random()`, `Date.now()`) reach the instance's endowments,
 * module-level bindings are locals of that call, and the frozen shared global
 * leaves no place to carry state from one instance (or run) to the next.
 * Evaluating per instance cost a parse and a Compartment each time (~1 ms).
 */
export function createModuleFactory(compiled: CompileOk, options: ModuleFactoryOptions = {}): ModuleFactory {
  if (!isSandboxRealm()) {
    throw new Error('createModuleFactory: call prepareSandboxRealm() in this (worker) realm first');
  }
  const Compartment = (globalThis as unknown as { Compartment: CompartmentCtor }).Compartment;
  const fileName = compiled.fileName ?? 'solution.ts';
  const modules = hardenFn(asHostValue({ ...(options.modules ?? {}) }, 0) as Record<string, unknown>);
  const extraGlobals = options.globals ? hardenFn(asHostValue({ ...options.globals }, 0) as Record<string, unknown>) : undefined;
  const limit = options.loopLimit ?? DEFAULT_LOOP_LIMIT;
  const requireFn = makeRequire(modules);
  const probe: ModuleEnv = { random: () => 0, now: () => 0, setTimer: () => 0, clearTimer: () => {} };
  const names = Object.keys(makeSandboxGlobals(probe, { ...options, globals: extraGlobals }));
  const guard = compiled.loopGuard ? [compiled.loopGuard] : [];
  // One line of wrapper before the learner's first line, as the source map expects.
  const wrapped = `(function (exports, module, require, ${[...guard, ...names].join(', ')}) {\n${compiled.js}\n})\n//# sourceURL=${learnerUrl(fileName)}\n`;
  const compartment = new Compartment({ __options__: true, globals: { ...sharedCompartmentGlobals() }, name: fileName });
  const init = compartment.evaluate(wrapped) as (...args: unknown[]) => void;
  Object.freeze(compartment.globalThis);

  return function moduleFactory(env: ModuleEnv): Record<string, unknown> {
    // Instance-private objects: a learner may change them, but only for itself.
    const globals = makeSandboxGlobals(env, { ...options, globals: extraGlobals });
    const module: { exports: Record<string, unknown> } = { exports: {} };
    const args: unknown[] = [module.exports, module, requireFn];
    if (compiled.loopGuard) args.push(makeLoopGuard(limit));
    for (const n of names) args.push(globals[n]);
    init.apply(undefined, args);
    return module.exports;
  };
}

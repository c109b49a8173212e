/**
 * Minimal sandbox worker entry for tests/sandbox and bench/sandbox.ts: runs one
 * compiled learner file as service "learner" in the real kernel, driven by a
 * "client" service that calls learner.ping once; an "other" service owns a
 * database (for the ownership-violation case).
 *
 * Order matters: lockdown first, then the kernel and the sandbox modules.
 */
import { prepareSandboxRealm } from '../../src/sandbox/realm.ts';
import { serveJobs } from '../../src/sandbox/serve.ts';
import { createModuleFactory, describeError, exposeToLearner } from '../../src/sandbox/module-factory.ts';
import { formatDescription } from '../../src/sandbox/errors.ts';
import type { CompileOk } from '../../src/sandbox/compile.ts';
import { Simulation } from '../../src/sim/index.ts';
import * as learnerRuntime from '../../src/sim/learner-runtime.ts';

const lockdownMs = prepareSandboxRealm();

/** Job that probes the worker realm itself (outside any compartment): what the sandbox frame's CSP and opaque origin allow. */
export interface WorkerRealmProbeJob {
  kind: 'probe-worker-realm';
  /** A same-origin URL of the app (the thing learner code must not reach). */
  appUrl: string;
}

/** Job that writes a value on the worker realm's global (outside any compartment) and returns what was there. */
export interface RealmStashJob {
  kind: 'realm-stash';
  value: unknown;
}

export interface TestJob {
  kind?: undefined;
  compiled: CompileOk;
  exportName: string;
  seed: number;
  maxEvents?: number;
  maxTime?: number;
  /** Extra: also report facts about the worker realm after the run. */
  probeRealm?: boolean;
  /** Hand the learner the grading facade of ctx (as `npm run grade` does) instead of the kernel's own. */
  facade?: boolean;
  /** Start the learner service this many host calls deeper (what learner code sees must not change). */
  hostDepth?: number;
  /** Offer the kernel's learner runtime (error guards) as the module `@mdl/test` (compile with allowedModules). */
  runtimeModule?: boolean;
}

export interface TestResult {
  reason: string;
  events: number;
  now: number;
  digest: string;
  /** The client's view: the reply to ping, or the error it got, or null if it never finished. */
  reply: { value?: unknown; error?: string; line?: number; stack?: string } | null;
  errors: { where?: string; message: string; line?: number; stack?: string }[];
  violations: number;
  logs: unknown[];
  lockdownMs: number;
  realm?: { objectProtoKeys: string[]; arrayProtoPolluted: boolean; processType: string };
}

async function attempt(f: () => unknown | Promise<unknown>): Promise<string> {
  try {
    const v = await Promise.race([
      Promise.resolve().then(f),
      new Promise((_r, reject) => setTimeout(() => reject(new Error('no answer in 3 s')), 3000)),
    ]);
    return `allowed: ${typeof v}`;
  } catch (e) {
    return `refused: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 200);
  }
}

async function probeWorkerRealm(job: WorkerRealmProbeJob): Promise<Record<string, string>> {
  const g = globalThis as unknown as Record<string, any>;
  const violations = new Set<string>();
  g.addEventListener?.('securitypolicyviolation', (e: { effectiveDirective?: string; violatedDirective?: string }) => {
    violations.add(String(e.effectiveDirective ?? e.violatedDirective));
  });
  const facts: Record<string, string> = {
    origin: String(g.location?.origin ?? g.origin ?? 'n/a'),
    fetch: await attempt(() => g.fetch(job.appUrl).then((r: { status: number }) => r.status)),
    xhr: await attempt(() => new Promise((resolve, reject) => {
      const x = new g.XMLHttpRequest();
      x.onload = () => resolve(x.status);
      x.onerror = () => reject(new Error('xhr error'));
      x.open('GET', job.appUrl);
      x.send();
    })),
    websocket: await attempt(() => new Promise((resolve, reject) => {
      const ws = new g.WebSocket(job.appUrl.replace(/^http/, 'ws'));
      ws.onopen = () => resolve('open');
      ws.onerror = () => reject(new Error('websocket error'));
    })),
    importScripts: await attempt(() => g.importScripts(job.appUrl)),
    dynamicImport: await attempt(() => new Function('u', 'return imp' + 'ort(u)')(job.appUrl)),
    indexedDB: await attempt(() => new Promise((resolve, reject) => {
      const req = g.indexedDB.open('mdl-probe');
      req.onsuccess = () => resolve('opened');
      req.onerror = () => reject(req.error ?? new Error('idb error'));
    })),
    caches: await attempt(() => g.caches.keys()),
    // The realm's own (engine) Date: shows the host zone the browser emulates, which learner code must not see.
    hostTimezoneOffset: String(new g.Date(2025, 0, 1).getTimezoneOffset()),
  };
  await new Promise((r) => setTimeout(r, 50)); // violation events are dispatched asynchronously
  facts.cspViolations = [...violations].sort().join(',');
  return facts;
}

serveJobs<TestJob | WorkerRealmProbeJob | RealmStashJob, TestResult | Record<string, string> | unknown>(async (job, io) => {
  if (job.kind === 'probe-worker-realm') return probeWorkerRealm(job);
  if (job.kind === 'realm-stash') {
    const g = globalThis as unknown as { __mdlStash?: unknown };
    const before = g.__mdlStash ?? null;
    g.__mdlStash = job.value;
    return before;
  }
  const factory = createModuleFactory(job.compiled, { loopLimit: 5_000_000, ...(job.runtimeModule ? { modules: { '@mdl/test': { ...learnerRuntime } } } : {}) });
  const sim = new Simulation({
    seed: job.seed,
    trace: true,
    maxEvents: job.maxEvents ?? 200_000,
    maxTime: job.maxTime ?? 60_000,
    describeError: (e) => {
      const d = describeError(e, job.compiled);
      // The kernel sends only name + message across the network: put the learner's line in the message.
      return { name: d.name, message: formatDescription(d, job.compiled.fileName), ...(d.stack ? { stack: d.stack } : {}), ...(d.line !== undefined ? { line: d.line } : {}), ...(d.column !== undefined ? { column: d.column } : {}) };
    },
  });
  sim.addService({
    name: 'other',
    start(ctx) {
      ctx.db.createTable('secrets');
      void ctx.db.put('secrets', { id: 's1', value: 'other-service-data' });
    },
  });
  sim.addService({
    name: 'learner',
    start(ctx) {
      const mod = factory({
        random: ctx.random,
        now: ctx.now,
        setTimer: ctx.setTimer,
        clearTimer: ctx.clearTimer,
        log: (_level, args) => ctx.log.info(...args),
      });
      const fn = mod[job.exportName];
      if (typeof fn !== 'function') throw new TypeError(`export ${job.exportName} is not a function`);
      const learnerCtx = job.facade ? exposeToLearner(ctx) : ctx;
      const deeper = (n: number): void | Promise<void> => (n <= 0 ? (fn as (c: unknown) => void | Promise<void>)(learnerCtx) : deeper(n - 1));
      return deeper(job.hostDepth ?? 0);
    },
  });
  sim.addService({
    name: 'client',
    start(ctx) {
      ctx.db.createTable('results');
      ctx.setTimer(() => {
        ctx.call('learner', 'ping', { n: 1 }, { timeoutMs: 100_000 }).then(
          (value) => ctx.db.put('results', { id: 'reply', value: value ?? null }),
          (err: Error & { remote?: { line?: number; stack?: string } }) =>
            ctx.db.put('results', { id: 'reply', error: String(err?.message ?? err), line: err?.remote?.line ?? null, stack: err?.remote?.stack ?? null }),
        );
      }, 1);
    },
  });
  io.post({ type: 'progress', phase: 'run', seed: job.seed }, { restartClock: true });
  const r = await sim.runUntilQuiescent();
  const rows = sim.rows('client', 'results') as { id: string; value?: unknown; error?: string; line?: number | null; stack?: string | null }[];
  const replyRow = rows.find((x) => x.id === 'reply');
  const events = sim.trace.events();
  const errors = events
    .filter((e) => (e.kind === 'handler-error' || e.kind === 'start-error') && e.service === 'learner')
    .map((e) => {
      const d = (e.data ?? {}) as { where?: string; error?: { message?: string; line?: number; stack?: string; name?: string } };
      return { where: d.where, message: String(d.error?.message ?? ''), line: d.error?.line, stack: d.error?.stack };
    });
  const result: TestResult = {
    reason: r.reason,
    events: r.events,
    now: r.now,
    digest: sim.trace.digest(),
    reply: replyRow
      ? replyRow.error !== undefined
        ? { error: replyRow.error, ...(typeof replyRow.line === 'number' ? { line: replyRow.line } : {}), ...(replyRow.stack ? { stack: replyRow.stack } : {}) }
        : { value: replyRow.value }
      : null,
    errors,
    violations: events.filter((e) => e.kind === 'ownership-violation').length,
    logs: events.filter((e) => e.kind === 'log' && e.service === 'learner').map((e) => e.data ?? null),
    lockdownMs,
  };
  if (job.probeRealm) {
    result.realm = {
      objectProtoKeys: Object.getOwnPropertyNames(Object.prototype),
      arrayProtoPolluted: 'polluted' in Array.prototype,
      processType: typeof process,
    };
  }
  return result;
});

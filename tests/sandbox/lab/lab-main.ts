/**
 * Browser proof of the sandbox (sandbox-lab.html): runs every hostile case of
 * tests/hostile in the real browser host (opaque-origin iframe + blob Worker +
 * SES), then the correct submission, and exposes the results on
 * `window.__sandboxLab` for tests/e2e/sandbox.spec.ts.
 */
import { compile } from '../../../src/sandbox/compile.ts';
import { createBrowserHost } from '../../../src/sandbox/host-browser.ts';
import type { JobOutcome } from '../../../src/sandbox/protocol.ts';
import { gradeInSandbox, runInSandbox, type SandboxGradeOutcome } from '../../../src/grading/sandboxed.ts';
import { compileSubmission } from '../../../src/grading/compile-submission.ts';
import type { GradeReport } from '../../../src/grading/types.ts';
import { mismatch, parseExpectation, verdictOf, type VerdictInfo } from '../hostile-harness.ts';
import { comparable, gradingProblems, parseGradingCase } from '../grading-hostile-harness.ts';
import type { TestJob, TestResult } from '../test-worker.ts';
import good from '../fixtures/good.ts?raw';
import hostProbe from '../fixtures/host-probe.ts?raw';

const solutions = import.meta.glob<string>('../../../solutions/*.ts', { query: '?raw', import: 'default', eager: true });
const cases = import.meta.glob<string>('../../hostile/*.ts', { query: '?raw', import: 'default', eager: true });
const gradingCases = import.meta.glob<string>('../../hostile/grading/*.ts', { query: '?raw', import: 'default', eager: true });
const starters = import.meta.glob<string>('../../../exercises/*/starter.ts', { query: '?raw', import: 'default', eager: true });

export interface LabCase {
  file: string;
  expect: string;
  /** Browser-specific acceptable verdicts (`// browser-expect: a|b`), else `expect`. */
  accepted: string[];
  got: VerdictInfo;
  problem: string | null;
  ms: number;
  nextPasses: boolean;
  nextMessage: string;
}

export interface LabApi {
  /** The worker is up (or `error` is set). */
  ready: boolean;
  /** The corpus has run (after runCorpus()). */
  done: boolean;
  /** Runs the hostile corpus (each case, then good.ts), filling `cases`. */
  runCorpus(): Promise<LabCase[]>;
  error?: string;
  cases: LabCase[];
  workerStartMs: number;
  workersStarted: number;
  /** Runs a guard-less infinite loop for `ms`; resolves with the outcome (for responsiveness checks). */
  hang(ms: number): Promise<JobOutcome<TestResult>>;
  /** Runs `good.ts` with a seed; returns the reply value. */
  runGood(seed: number): Promise<unknown>;
  /** Runs `good.ts` with a seed; returns the kernel's trace digest and the reply. */
  runGoodDigest(seed: number): Promise<{ digest: string; reply: unknown }>;
  /** Runs fixtures/host-probe.ts (what learner code can read of the host); digest and reply. */
  runHostProbe(seed: number): Promise<{ digest: string; reply: unknown }>;
  /** Facts about the sandbox frame itself, gathered by a learner probe. */
  probe(): Promise<unknown>;
  /** Grades a reference solution: compiled on this page, executed by the real worker (src/grading/worker-entry.ts) in a second browser host, judged on this page. */
  gradeReference(exerciseId: string, seeds: number): Promise<{ outcome: SandboxGradeOutcome; ms: number; startMs: number }>;
  /** Runs the grading corpus (tests/hostile/grading) in the grading host, each case followed by the starter's grade. */
  runGradingCorpus(): Promise<GradingLabCase[]>;
  /** Where a grade's time goes on this page: total, compile, judging (in onMessage), records; `spare: false` starts no spare worker. */
  profileGrade(exerciseId: string, seeds: number, reps: number, spare: boolean): Promise<Array<{ ms: number; compileMs: number; judgeMs: number; firstRecordMs: number; records: number; chars: number }>>;
}

export interface GradingLabCase {
  file: string;
  skipped?: string;
  problems: string[];
  ms: number;
  /** The starter, graded in the same host right after, equals its grade in a fresh host. */
  starterSame: boolean;
  starterDiff?: string;
}

declare global {
  interface Window {
    __sandboxLab: LabApi;
  }
}

const log = document.getElementById('log')!;
const say = (s: string) => {
  log.textContent += `${s}\n`;
};
let pokes = 0;
document.getElementById('poke')!.addEventListener('click', () => {
  pokes++;
  document.getElementById('pokes')!.textContent = String(pokes);
});

const host = createBrowserHost({
  workerSource: async () => (await import('../test-worker.ts?sandbox-worker')).default,
  wallClockMs: 2000,
});

async function runSource(source: string, fileName: string, seed = 1) {
  const compiled = compile(source, fileName);
  if (!compiled.ok) return { compiled, outcome: undefined };
  // The grading facade, as the app's Run and Grade hand it to learner code.
  const job: TestJob = { compiled, exportName: 'service', seed, maxEvents: 50_000, probeRealm: true, facade: true };
  return { compiled, outcome: await host.run<TestJob, TestResult>(job) };
}

const api: LabApi = {
  ready: false,
  done: false,
  runCorpus,
  gradeReference,
  runGradingCorpus,
  profileGrade,
  cases: [],
  workerStartMs: 0,
  workersStarted: 0,
  async hang(ms) {
    const compiled = compile("export function service(ctx: any) { ctx.handle('ping', () => { let x = 0; while (true) x++; }); }", 'hang.ts', { loopGuard: false });
    if (!compiled.ok) throw new Error('hang did not compile');
    return host.run<TestJob, TestResult>({ compiled, exportName: 'service', seed: 1 }, { wallClockMs: ms });
  },
  async runGood(seed) {
    const { outcome } = await runSource(good, 'good.ts', seed);
    if (!outcome?.ok) throw new Error(JSON.stringify(outcome));
    return outcome.result.reply;
  },
  async runGoodDigest(seed) {
    const { outcome } = await runSource(good, 'good.ts', seed);
    if (!outcome?.ok) throw new Error(JSON.stringify(outcome));
    return { digest: outcome.result.digest, reply: outcome.result.reply };
  },
  async runHostProbe(seed) {
    const { outcome } = await runSource(hostProbe, 'host-probe.ts', seed);
    if (!outcome?.ok) throw new Error(JSON.stringify(outcome));
    return { digest: outcome.result.digest, reply: outcome.result.reply };
  },
  async probe() {
    const src = `export function service(ctx: any) {
      ctx.handle('ping', async () => {
        const g = globalThis as any;
        const out: Record<string, string> = {};
        for (const k of ['fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'indexedDB', 'localStorage', 'document', 'caches', 'postMessage', 'self', 'navigator', 'location']) out[k] = typeof g[k];
        return out;
      });
    }`;
    const { outcome } = await runSource(src, 'probe.ts');
    return outcome?.ok ? outcome.result.reply : outcome;
  },
};
const gradingWorker = async () => (await import('../../../src/grading/worker-entry.ts?sandbox-worker')).default;
let gradingHost: ReturnType<typeof createBrowserHost> | undefined;
async function grading(): Promise<{ host: ReturnType<typeof createBrowserHost>; startMs: number }> {
  let startMs = 0;
  if (!gradingHost) {
    gradingHost = createBrowserHost({ workerSource: gradingWorker, wallClockMs: 10_000 });
    const t0 = performance.now();
    await gradingHost.warmUp();
    startMs = performance.now() - t0;
  }
  return { host: gradingHost, startMs };
}

async function gradeReference(exerciseId: string, seeds: number): Promise<{ outcome: SandboxGradeOutcome; ms: number; startMs: number }> {
  const source = solutions[`../../../solutions/${exerciseId}.ts`];
  if (source === undefined) throw new Error(`no reference solution for ${exerciseId}`);
  const { host: h, startMs } = await grading();
  const t0 = performance.now();
  const outcome = await gradeInSandbox({ host: h, compile: compileSubmission }, exerciseId, source, { seeds });
  return { outcome, ms: performance.now() - t0, startMs };
}

async function profileGrade(exerciseId: string, seeds: number, reps: number, spare: boolean) {
  const source = solutions[`../../../solutions/${exerciseId}.ts`]!;
  const h = createBrowserHost({ workerSource: gradingWorker, wallClockMs: 10_000, spare });
  await h.warmUp();
  const out = [];
  for (let i = 0; i < reps; i++) {
    await new Promise((r) => setTimeout(r, 600));
    if (!spare) await h.warmUp();
    let judgeMs = 0, records = 0, chars = 0, firstRecordMs = 0, compileMs = 0;
    const t0 = performance.now();
    const timed: typeof h = {
      ...h,
      stats: h.stats,
      run: (job, options) => h.run(job, { ...options, onMessage: (d) => {
        const t = performance.now();
        if (records === 0) firstRecordMs = t - t0;
        for (const j of (d as { json?: string[] }).json ?? []) {
          records++;
          chars += j.length;
        }
        options?.onMessage?.(d);
        judgeMs += performance.now() - t;
      } }),
    };
    const r = await gradeInSandbox({ host: timed, compile: (src, f) => { const c0 = performance.now(); const c = compileSubmission(src, f); compileMs = performance.now() - c0; return c; } }, exerciseId, source, { seeds });
    if (!r.ok || r.report.score !== r.report.maxScore) throw new Error(JSON.stringify(r).slice(0, 300));
    out.push({ ms: performance.now() - t0, compileMs, judgeMs, firstRecordMs, records, chars });
  }
  await h.close();
  return out;
}

async function runGradingCorpus(): Promise<GradingLabCase[]> {
  const { host: h } = await grading();
  const starterOf = (id: string) => starters[`../../../exercises/${id}/starter.ts`]!;
  const reference = new Map<string, GradeReport>();
  const out: GradingLabCase[] = [];
  for (const [path, source] of Object.entries(gradingCases).sort(([a], [b]) => a.localeCompare(b))) {
    const c = parseGradingCase(path.split('/').pop()!, source);
    if (c.browserSkip) {
      out.push({ file: c.file, skipped: c.browserSkip, problems: [], ms: 0, starterSame: true });
      continue;
    }
    if (!reference.has(c.exercise)) {
      // The starter's grade in a host that never ran anything else.
      const fresh = createBrowserHost({ workerSource: gradingWorker, wallClockMs: 10_000, spare: false });
      const r = await gradeInSandbox({ host: fresh, compile: compileSubmission }, c.exercise, starterOf(c.exercise), { seeds: 3 });
      await fresh.close();
      if (!r.ok) throw new Error(`starter of ${c.exercise}: ${r.message}`);
      reference.set(c.exercise, r.report);
    }
    const budgets = { ...(c.totalMs !== undefined ? { totalMs: c.totalMs } : {}), ...(c.runWallClockMs !== undefined ? { runWallClockMs: c.runWallClockMs } : {}) };
    const t0 = performance.now();
    const res = c.job === 'run'
      ? await runInSandbox({ host: h, compile: compileSubmission }, c.exercise, source, { scenario: 'happy-path', ...budgets })
      : await gradeInSandbox({ host: h, compile: compileSubmission }, c.exercise, source, { seeds: c.seeds, ...budgets });
    const ms = performance.now() - t0;
    const problems = gradingProblems(c, res);
    const next = await gradeInSandbox({ host: h, compile: compileSubmission }, c.exercise, starterOf(c.exercise), { seeds: 3 });
    const a = next.ok ? JSON.stringify(comparable(next.report)) : JSON.stringify(next);
    const b = JSON.stringify(comparable(reference.get(c.exercise)!));
    out.push({ file: c.file, problems, ms, starterSame: a === b, ...(a === b ? {} : { starterDiff: `${a.slice(0, 300)} vs ${b.slice(0, 300)}` }) });
    say(`${problems.length ? 'FAIL' : 'ok  '} grading/${c.file} (${ms.toFixed(0)} ms) ${problems.join('; ')}`);
  }
  return out;
}
window.__sandboxLab = api;
(window as unknown as { __sandboxLabProbeRealm: (u: string) => Promise<unknown> }).__sandboxLabProbeRealm = (appUrl) =>
  host.run({ kind: 'probe-worker-realm', appUrl });

async function main() {
  const t0 = performance.now();
  await host.warmUp();
  api.workerStartMs = performance.now() - t0;
  api.ready = true;
  say(`worker ready in ${api.workerStartMs.toFixed(0)} ms`);
  if (new URLSearchParams(location.search).has('corpus')) await runCorpus();
}

async function runCorpus(): Promise<LabCase[]> {
  api.cases = [];
  for (const [path, source] of Object.entries(cases).sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.split('/').pop()!;
    const exp = parseExpectation(source);
    const browserExpect = /^\/\/\s*browser-expect:\s*(.+)$/m.exec(source)?.[1]?.trim();
    const accepted = browserExpect ? browserExpect.split('|').map((x) => x.trim()) : [exp.expect];
    const started = performance.now();
    const { compiled, outcome } = await runSource(source, file);
    const got = verdictOf(compiled, outcome);
    const ms = performance.now() - started;
    let problem: string | null;
    if (browserExpect) problem = accepted.includes(got.verdict) ? null : `expected one of ${accepted.join('|')}, got ${got.verdict}: ${got.message}`;
    else problem = mismatch(exp, got);
    const next = await runSource(good, 'good.ts');
    const nv = verdictOf(next.compiled, next.outcome);
    const polluted = next.outcome?.ok ? next.outcome.result.realm?.objectProtoKeys.includes('polluted') : true;
    api.cases.push({ file, expect: exp.expect, accepted, got, problem, ms, nextPasses: nv.verdict === 'pass' && !polluted, nextMessage: nv.message });
    say(`${problem ? 'FAIL' : 'ok  '} ${file}: ${got.verdict} (${ms.toFixed(0)} ms) ${problem ?? ''}`);
  }
  api.workersStarted = host.stats.workersStarted;
  api.done = true;
  say('done');
  return api.cases;
}

main().catch((e: unknown) => {
  api.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  api.ready = true;
  api.done = true;
  say(`error: ${api.error}`);
});

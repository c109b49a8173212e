/**
 * Sandbox benchmarks (Node host):
 *   BENCH sandbox.start_ms         — transpile (typescript transpileModule) + start of a run in the
 *                                    host's spare worker (every job gets a fresh worker; the spare is
 *                                    started when the previous job ends, so runs are 0.4 s apart here,
 *                                    as clicks are), learner module evaluated, kernel run of a ping,
 *                                    until the result is back; median of 15 (target ≤ ~50 ms)
 *   BENCH sandbox.compile_ms       — transpile alone of a ~120-line learner file, warm median
 *   BENCH sandbox.worker_start_ms  — cold start of a sandbox worker (bundle + lockdown + kernel import) until ready, median of 3
 *   BENCH sandbox.grading_worker_start_ms — the same for the grading worker (src/grading/worker-entry.ts: executes only, no compiler)
 *   BENCH sandbox.timeout_kill_ms  — wall-clock kill of a hung job until the next job's result (budget 300 ms), median of 3
 * Run: `npm run bench -- sandbox`.
 */
import { compile, type CompileOk } from '../src/sandbox/compile.ts';
import { createNodeHost } from '../src/sandbox/host-node.ts';
import type { TestJob, TestResult } from '../tests/sandbox/test-worker.ts';

const ENTRY = new URL('../tests/sandbox/test-worker.ts', import.meta.url);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A realistic learner file (~120 lines): saga-style orchestrator with helpers. */
function learnerSource(variant: number): string {
  const helpers = Array.from({ length: 12 }, (_, i) => `
function step${i}(state: State, input: number): State {
  const next = { ...state, total: state.total + input * ${i + 1}, log: [...state.log, 'step${i}'] };
  for (const k of Object.keys(next)) { if (k === 'never') throw new Error(k); }
  return next;
}`).join('\n');
  return `import type { ServiceContext } from './api';
// variant ${variant}
interface State { total: number; log: string[] }
enum Phase { Start, Running, Done }
${helpers}
let phase: Phase = Phase.Start;
export function service(ctx: ServiceContext) {
  ctx.handle('ping', async (p: { n: number }) => {
    phase = Phase.Running;
    let s: State = { total: 0, log: [] };
    ${Array.from({ length: 12 }, (_, i) => `s = step${i}(s, p.n);`).join('\n    ')}
    await ctx.sleep(1);
    phase = Phase.Done;
    return { total: s.total, steps: s.log.length, phase, r: Math.random() };
  });
}
`;
}

export async function benchSandbox(): Promise<void> {
  // cold worker starts
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const h = createNodeHost({ workerEntry: ENTRY, wallClockMs: 5000, memoryMb: 128 });
    const t0 = performance.now();
    await h.warmUp();
    starts.push(performance.now() - t0);
    await h.close();
  }

  const gradingStarts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const h = createNodeHost({ workerEntry: new URL('../src/grading/worker-entry.ts', import.meta.url), wallClockMs: 5000, memoryMb: 128 });
    const t0 = performance.now();
    await h.warmUp();
    gradingStarts.push(performance.now() - t0);
    await h.close();
  }

  // transpile + start of a run in the spare worker
  const host = createNodeHost({ workerEntry: ENTRY, wallClockMs: 5000, memoryMb: 128 });
  await host.warmUp();
  const runOnce = async (variant: number) => {
    await new Promise((r) => setTimeout(r, 400)); // the spare started by the last job is ready, as between two clicks
    const t0 = performance.now();
    const compiled = compile(learnerSource(variant), 'solution.ts') as CompileOk;
    const o = await host.run<TestJob, TestResult>({ compiled, exportName: 'service', seed: variant, maxEvents: 10_000 });
    const dt = performance.now() - t0;
    if (!o.ok || !o.result.reply || o.result.reply.error !== undefined) throw new Error(`bench run failed: ${JSON.stringify(o)}`);
    return dt;
  };
  for (let i = 0; i < 5; i++) await runOnce(i);
  const runs: number[] = [];
  for (let i = 0; i < 15; i++) runs.push(await runOnce(1000 + i));

  // timeout kill + replacement
  const hang = compile("export function service(ctx: any) { ctx.handle('ping', () => { let x = 0; while (true) x++; }); }", 'hang.ts', { loopGuard: false }) as CompileOk;
  const kills: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const o = await host.run<TestJob, TestResult>({ compiled: hang, exportName: 'service', seed: 1 }, { wallClockMs: 300 });
    if (o.ok || o.kind !== 'timeout') throw new Error('hang was not killed');
    const compiled = compile(learnerSource(5000 + i), 'solution.ts') as CompileOk;
    const next = await host.run<TestJob, TestResult>({ compiled, exportName: 'service', seed: 1, maxEvents: 10_000 });
    if (!next.ok) throw new Error('no job after the kill');
    kills.push(performance.now() - t0);
  }
  await host.close();

  // compile alone (after the runs above warmed the compiler up)
  const compileTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    const src = learnerSource(100 + i);
    const t0 = performance.now();
    const r = compile(src, 'solution.ts');
    compileTimes.push(performance.now() - t0);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  }

  console.log(`BENCH sandbox.start_ms ${median(runs).toFixed(1)} ms`);
  console.log(`BENCH sandbox.compile_ms ${median(compileTimes).toFixed(1)} ms`);
  console.log(`BENCH sandbox.worker_start_ms ${median(starts).toFixed(0)} ms`);
  console.log(`BENCH sandbox.grading_worker_start_ms ${median(gradingStarts).toFixed(0)} ms`);
  console.log(`BENCH sandbox.timeout_kill_ms ${median(kills).toFixed(0)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSandbox();

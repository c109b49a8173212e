/**
 * Grading benchmarks. Prints `BENCH <name> <value> <unit>` lines.
 *
 *  grade.<id>.ms          full grade of the reference solution (default seeds), in
 *                         process with the trusted factory, warm, median of several
 *  grade.<id>.sandbox.ms  the same through the Node sandbox (what the CLI does): compile on the
 *                         main thread, execute in a fresh SES-locked worker (a warm spare), judge
 *                         on the main thread from the bounded run records; median of several
 */
import { EXERCISES } from '../exercises/index.ts';
import { DEFAULT_SEEDS, gradeWithFactory } from '../src/grading/grade.ts';
import { readSolution } from '../src/grading/files.node.ts';
import { trustedFactory } from '../src/grading/local-factory.ts';
import { compileSubmission as compile } from '../src/grading/compile-submission.ts';
import { createNodeHost } from '../src/sandbox/host-node.ts';
import { gradeInSandbox } from '../src/grading/sandboxed.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchGrade(): Promise<void> {
  const reps = Number(process.env.BENCH_GRADE_REPS ?? 5);
  for (const ex of EXERCISES) {
    const loaded = trustedFactory(readSolution(ex.id));
    if (!loaded.ok) throw new Error(loaded.message);
    for (let i = 0; i < 3; i++) await gradeWithFactory(ex, loaded.factory, { seeds: DEFAULT_SEEDS }); // warm-up (JIT)
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const r = await gradeWithFactory(ex, loaded.factory, { seeds: DEFAULT_SEEDS });
      times.push(performance.now() - t0);
      if (r.score !== r.maxScore) throw new Error(`${ex.id}: the reference solution scored ${r.score}/${r.maxScore}`);
    }
    console.log(`BENCH grade.${ex.id}.ms ${median(times).toFixed(1)} ms`);
  }

  if (process.env.BENCH_GRADE_SANDBOX === '0') return;
  const host = createNodeHost({ workerEntry: new URL('../src/grading/worker-entry.ts', import.meta.url), wallClockMs: 60_000, memoryMb: 512 });
  try {
    await host.warmUp();
    for (const ex of EXERCISES) {
      const source = readSolution(ex.id);
      const grade = () => gradeInSandbox({ host, compile }, ex.id, source, { seeds: DEFAULT_SEEDS });
      await grade(); // warm-up (JIT of the judge and compiler on this thread)
      const times: number[] = [];
      for (let i = 0; i < Math.max(1, Math.min(reps, 3)); i++) {
        await new Promise((r) => setTimeout(r, 300)); // the spare worker started by the last grade is ready, as between two clicks
        const t0 = performance.now();
        const out = await grade();
        times.push(performance.now() - t0);
        if (!out.ok || out.report.score !== out.report.maxScore) throw new Error(`${ex.id}: sandbox grade failed: ${JSON.stringify(out).slice(0, 300)}`);
      }
      console.log(`BENCH grade.${ex.id}.sandbox.ms ${median(times).toFixed(1)} ms`);
    }
  } finally {
    await host.close();
  }
}

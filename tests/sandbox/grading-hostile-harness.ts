/**
 * The grading half of the hostile corpus (tests/hostile/grading/*.ts): learner
 * submissions for an exercise that attack the grade itself — its size, its
 * text, its budgets, the worker it runs in. Shared by the Node test
 * (tests/sandbox/hostile-grading.test.ts) and the browser lab page.
 * Browser-safe (no Node imports).
 *
 * Header lines:
 *   // exercise: <id>            the exercise graded
 *   // job: grade|run            (default grade) a Run is judged as a RunReport or a sandbox failure
 *   // seeds: N                  (default 3)
 *   // budget-ms: N              total time budget of the grade
 *   // run-wall-clock-ms: N      real-time budget of one run
 *   // max-score: N              the score must not be higher
 *   // message: <regex>          some check message or problem (English) must match; repeatable
 *   // max-report-kb: N          (default 1000) the report's JSON size
 *   // max-rss-mb: N             (Node) the process RSS may grow at most this much during the job
 *   // browser: skip (why)       not run in the browser
 * Every case must end as a report (a grade is always graded), with no raw
 * control character in any string; afterwards the untouched starter, graded in
 * the same host, must grade exactly as in a fresh one.
 */
import type { SandboxGradeOutcome, SandboxRunOutcome } from '../../src/grading/sandboxed.ts';
import type { GradeReport } from '../../src/grading/types.ts';

export interface GradingCase {
  file: string;
  exercise: string;
  job: 'grade' | 'run';
  seeds: number;
  totalMs?: number;
  runWallClockMs?: number;
  maxScore?: number;
  messages: RegExp[];
  maxReportKb: number;
  maxRssMb?: number;
  browserSkip?: string;
}

export function parseGradingCase(file: string, source: string): GradingCase {
  const all = (key: string) => [...source.matchAll(new RegExp(`^//\\s*${key}:\\s*(.+)$`, 'gm'))].map((m) => m[1]!.trim());
  const one = (key: string) => all(key)[0];
  const num = (key: string) => (one(key) !== undefined ? Number(one(key)) : undefined);
  const exercise = one('exercise');
  if (!exercise) throw new Error(`${file}: no "// exercise:" header`);
  const c: GradingCase = {
    file,
    exercise,
    job: one('job') === 'run' ? 'run' : 'grade',
    seeds: num('seeds') ?? 3,
    messages: all('message').map((m) => new RegExp(m)),
    maxReportKb: num('max-report-kb') ?? 1000,
  };
  const opt = { totalMs: num('budget-ms'), runWallClockMs: num('run-wall-clock-ms'), maxScore: num('max-score'), maxRssMb: num('max-rss-mb'), browserSkip: one('browser') };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  return c;
}

// Anything a terminal or a bidi-aware renderer would act on.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function rawControlStrings(v: unknown, path = '$', out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (RAW_CONTROL.test(v)) out.push(path);
  } else if (Array.isArray(v)) v.forEach((x, i) => rawControlStrings(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) rawControlStrings(x, `${path}.${k}`, out);
  return out;
}

/** What is wrong with a case's outcome (empty: as expected). */
export function gradingProblems(c: GradingCase, out: SandboxGradeOutcome | SandboxRunOutcome): string[] {
  const problems: string[] = [];
  if (c.job === 'run') {
    if (!out.ok && out.error !== 'stopped') problems.push(`the Run ended as ${out.error}: ${out.message.slice(0, 300)}`);
    return problems;
  }
  if (!out.ok) return [`not graded: ${out.error}: ${out.message.slice(0, 300)}`];
  const r = out.report as GradeReport;
  if (c.maxScore !== undefined && r.score > c.maxScore) problems.push(`score ${r.score} > ${c.maxScore}`);
  const texts = [...r.checks.map((x) => x.message?.en ?? ''), ...r.problems.map((p) => p.message)];
  for (const re of c.messages) if (!texts.some((t) => re.test(t))) problems.push(`no message matches ${re}: ${JSON.stringify(texts).slice(0, 600)}`);
  const kb = JSON.stringify(r).length / 1024;
  if (kb > c.maxReportKb) problems.push(`report is ${kb.toFixed(0)} KB > ${c.maxReportKb} KB`);
  const raw = rawControlStrings(r);
  if (raw.length > 0) problems.push(`raw control characters in ${raw.slice(0, 5).join(', ')}`);
  return problems;
}

/** A report without what legitimately differs between two gradings (the time it took). */
export function comparable(r: GradeReport): Omit<GradeReport, 'durationMs'> {
  const { durationMs: _d, ...rest } = r;
  return rest;
}

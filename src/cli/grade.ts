/**
 * Instructor CLI: grades a learner file. The code runs in a fresh sandbox
 * worker (Node worker host) that only executes; the judge — checks, scores,
 * report — runs here, on the main thread, outside the learner's realm.
 *
 *   npm run grade -- <file.ts> --exercise <id> [--seeds N] [--seed-base S] [--time-budget SEC] [--json] [--lang en|ru] [--trace]
 *   npm run grade -- --exercise <id> --solution [--json]
 *   npm run grade -- --list
 *
 * Exit codes: 0 graded (any score, also when the sandbox had to stop the code:
 * timeouts, memory, the time budget), 2 bad input (unknown exercise, missing
 * file, compile error, bad option), 1 internal failure.
 *
 * Human output shows learner-derived text clipped and with control characters
 * escaped (the judge already made the report so); for a failing seed it prints
 * a command that replays the grade up to that seed, reproducing the failure.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describeFault } from '../sim/nemesis.ts';
import { compileSubmission } from '../grading/compile-submission.ts';
import { createNodeHost } from '../sandbox/host-node.ts';
import { EXERCISES, findExercise } from '../../exercises/index.ts';
import { DEFAULT_SEEDS, DEFAULT_SEED_BASE } from '../grading/plan.ts';
import { solutionPath } from '../grading/files.node.ts';
import { DEFAULT_TOTAL_MS, gradeInSandbox } from '../grading/sandboxed.ts';
import { escapeControls } from '../grading/safe-text.ts';
import type { GradeReport, Lang } from '../grading/types.ts';

class UsageError extends Error {}

interface Args {
  file?: string;
  exercise?: string;
  seeds: number;
  seedBase: number;
  json: boolean;
  list: boolean;
  solution: boolean;
  lang: Lang;
  help: boolean;
  trace: boolean;
  /** Real-time budget of the whole grade, ms. */
  totalMs: number;
}

const USAGE = `usage: npm run grade -- <file.ts> --exercise <id> [--seeds N] [--seed-base S] [--time-budget SEC] [--json] [--lang en|ru] [--trace]
       npm run grade -- --exercise <id> --solution [--json]
       npm run grade -- --list`;

function parseArgs(argv: string[]): Args {
  const a: Args = { seeds: DEFAULT_SEEDS, seedBase: DEFAULT_SEED_BASE, json: false, list: false, solution: false, lang: 'en', help: false, trace: false, totalMs: DEFAULT_TOTAL_MS };
  const int = (flag: string, v: string | undefined, min: number) => {
    if (v === undefined || !/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} needs an integer ≥ ${min}, got ${v ?? 'nothing'}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case '--exercise':
      case '-e':
        a.exercise = argv[++i];
        if (!a.exercise) throw new UsageError('--exercise needs an id');
        break;
      case '--seeds':
        a.seeds = int('--seeds', argv[++i], 0);
        break;
      case '--seed-base':
        a.seedBase = int('--seed-base', argv[++i], 0);
        break;
      case '--time-budget':
        a.totalMs = int('--time-budget', argv[++i], 1) * 1000;
        break;
      case '--json':
        a.json = true;
        break;
      case '--list':
        a.list = true;
        break;
      case '--trace':
        a.trace = true;
        break;
      case '--solution':
        a.solution = true;
        break;
      case '--lang': {
        const l = argv[++i];
        if (l !== 'en' && l !== 'ru') throw new UsageError('--lang must be en or ru');
        a.lang = l;
        break;
      }
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (a.file) throw new UsageError(`only one file can be graded (got ${a.file} and ${arg})`);
        a.file = arg;
    }
  }
  return a;
}

/** The --json shape: exactly these keys. */
function toJson(r: GradeReport, lang: Lang) {
  return {
    exercise: r.exercise,
    exerciseVersion: r.exerciseVersion,
    score: r.score,
    maxScore: r.maxScore,
    level: r.level,
    durationMs: r.durationMs,
    traceDigest: r.traceDigest,
    checks: r.checks.map((c) => ({
      id: c.id,
      title: c.title[lang],
      points: c.points,
      earned: c.earned,
      passed: c.passed,
      seedsRun: c.seedsRun,
      failingSeed: c.failingSeed,
      faults: c.faults,
      message: c.message ? c.message[lang] : null,
      ...(c.observation ? { observation: c.observation[lang] } : {}),
    })),
  };
}

function describeFaults(faults: GradeReport['checks'][number]['faults']): string {
  if (!faults || faults.length === 0) return 'none';
  return faults.map(describeFault).join('; ');
}

function describeEvent(e: GradeReport['checks'][number]['traceSlice'][number]): string {
  const d = (e.data ?? {}) as { kind?: string; type?: string; payload?: unknown; reason?: string; message?: string; error?: { message?: string } };
  // deliver/drop-on-arrival events are recorded at the receiver: show the message's direction.
  const who = e.peer ? (e.kind === 'deliver' ? `${e.peer} → ${e.service ?? ''}` : `${e.service ?? ''} → ${e.peer}`) : (e.service ?? '');
  let what = '';
  if (d.type) what = `${d.kind ?? ''} ${d.type} ${JSON.stringify(d.payload ?? null).slice(0, 100)}`;
  else if (d.reason) what = d.reason;
  else if (d.message) what = d.message;
  else if (d.error?.message) what = d.error.message;
  else if (e.data !== undefined) what = JSON.stringify(e.data).slice(0, 100);
  return escapeControls(`t=${e.t.toFixed(3).padStart(9)} ${e.kind.padEnd(12)} ${who.padEnd(26)} ${what}`);
}

/** A word for a POSIX shell: as is when plain, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that reproduces a failing seed: the same grade up to that seed
 * (same scenarios, seeds seedBase..failingSeed), so the runs before it — and
 * anything they left behind — are the same as in the full grade.
 */
export function replayCommand(r: GradeReport, target: string, failingSeed: number): string {
  return `npm run grade -- ${target} --exercise ${r.exercise} --seed-base ${r.seedBase} --seeds ${failingSeed - r.seedBase + 1}`;
}

function printHuman(r: GradeReport, file: string, target: string, lang: Lang, trace = false): void {
  const out: string[] = [];
  out.push(`${r.exercise} v${r.exerciseVersion} — ${escapeControls(file)}`);
  out.push('');
  const w = Math.max(...r.checks.map((c) => c.id.length));
  for (const c of r.checks) {
    const mark = c.passed ? '✓' : '✗';
    const pts = `${String(c.earned).padStart(3)}/${String(c.points).padEnd(3)}`;
    const seeds = c.seedsRun > 0 ? ` seeds ${c.seedsRun}` : '';
    out.push(`${mark} ${c.id.padEnd(w)}  ${pts} ${c.level.padEnd(8)} ${c.title[lang]}${seeds}`);
    if (!c.passed) {
      if (c.failingSeed !== null) {
        out.push(`    failing seed: ${c.failingSeed}`);
        out.push(`    replay: ${escapeControls(replayCommand(r, target, c.failingSeed))}`);
      }
      if (c.faults) out.push(`    faults: ${escapeControls(describeFaults(c.faults))}`);
      if (c.message) out.push(`    ${escapeControls(c.message[lang])}`);
      if (trace) for (const e of c.traceSlice.slice(-20)) out.push(`      ${describeEvent(e)}`);
    }
    if (c.observation) for (const line of c.observation[lang].split('\n')) out.push(`    · ${escapeControls(line)}`);
  }
  out.push('');
  out.push(`score ${r.score}/${r.maxScore}   level ${r.level ?? 'none'}   ${r.runs} runs in ${r.durationMs} ms   digest ${r.traceDigest.slice(0, 16)}`);
  process.stdout.write(out.join('\n') + '\n');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.list) {
    if (args.json) process.stdout.write(JSON.stringify(EXERCISES.map((e) => ({ id: e.id, version: e.version, chapter: e.chapter, title: e.title[args.lang] }))) + '\n');
    else for (const e of EXERCISES) process.stdout.write(`${e.id}\t(ch.${e.chapter}, v${e.version})\t${e.title[args.lang]}\n`);
    return 0;
  }
  if (!args.exercise) {
    process.stderr.write(`error: --exercise <id> is required (known: ${EXERCISES.map((e) => e.id).join(', ')})\n${USAGE}\n`);
    return 2;
  }
  const ex = findExercise(args.exercise);
  if (!ex) {
    process.stderr.write(`error: unknown exercise "${args.exercise}" (known: ${EXERCISES.map((e) => e.id).join(', ')})\n`);
    return 2;
  }
  const file = args.solution ? solutionPath(ex.id) : args.file ? resolve(args.file) : undefined;
  if (!file) {
    process.stderr.write(`error: give a file to grade, or --solution\n${USAGE}\n`);
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`error: file not found: ${file}\n`);
    return 2;
  }
  let source: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file (a directory?)');
    source = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`error: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  const host = createNodeHost({ workerEntry: new URL('../grading/worker-entry.ts', import.meta.url), wallClockMs: 10_000, memoryMb: 512, spare: false });
  try {
    void host.warmUp(); // the worker boots while the source compiles
    const out = await gradeInSandbox({ host, compile: compileSubmission }, ex.id, source, { fileName: basename(file), seeds: args.seeds, seedBase: args.seedBase, totalMs: args.totalMs });
    if (!out.ok) {
      process.stderr.write(`error: ${out.message}\n`);
      return out.error === 'compile' || out.error === 'unknown-exercise' ? 2 : 1;
    }
    const target = args.solution ? '--solution' : shellWord(args.file!);
    if (args.json) process.stdout.write(JSON.stringify(toJson(out.report, args.lang)) + '\n');
    else printHuman(out.report, file, target, args.lang, args.trace);
    return 0;
  } finally {
    await host.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);

/**
 * The grading core: runs an exercise's deterministic scenarios and N seeded random
 * fault runs against a learner ModuleFactory, evaluates every check's property
 * and scores the result. Depends only on (code, exercise version, seeds).
 */
import { generateSchedule } from '../sim/nemesis.ts';
import { digestJson } from '../sim/trace.ts';
import type { TraceEvent } from '../sim/trace.ts';
import { runOnce, type RunHandle } from './run.ts';
import {
  LEVEL_ORDER,
  LEVEL_POINTS,
  type CheckReport,
  type CheckSpec,
  type ExerciseDefinition,
  type ExerciseInfo,
  type GradeOptions,
  type GradeReport,
  type Level,
  type LearnerProblem,
  type LearnerRuntime,
  type Localized,
  type ModuleFactory,
  type RunOptions,
  type RunOutcome,
  type RunReport,
  type Violation,
} from './types.ts';

export const DEFAULT_SEEDS = 200;
export const DEFAULT_SEED_BASE = 1;
const SLICE_MAX = 60;

function asRuntime(code: ModuleFactory | LearnerRuntime): LearnerRuntime {
  return typeof code === 'function' ? { factory: code } : code;
}

export function exerciseInfo(ex: ExerciseDefinition): ExerciseInfo {
  return {
    id: ex.id,
    version: ex.version,
    chapter: ex.chapter,
    order: ex.order,
    title: ex.title,
    summary: ex.summary,
    criteria: ex.criteria,
    rubric: ex.rubric,
    hints: ex.hints,
    learnerServices: ex.learnerServices,
    maxScore: ex.checks.reduce((s, c) => s + c.points, 0),
    checks: ex.checks.map((c) => ({
      id: c.id,
      title: c.title,
      points: c.points,
      level: c.level,
      criterion: c.criterion,
      scenarios: c.scenarios,
      random: c.random,
    })),
    scenarios: ex.scenarios.map((s) => ({ id: s.id, title: s.title })),
  };
}

function problemText(p: LearnerProblem): Localized {
  const where = p.service ? ` (${p.service})` : '';
  switch (p.kind) {
    case 'module-load':
      return { ru: `Модуль упал при загрузке${where}: ${p.message}`, en: `Your module threw while loading${where}: ${p.message}` };
    case 'missing-export':
      return { ru: `Нет нужного экспорта${where}: ${p.message}`, en: `Missing export${where}: ${p.message}` };
    case 'start-error':
      return { ru: `Запуск сервиса завершился ошибкой${where}: ${p.message}`, en: `Service start failed${where}: ${p.message}` };
    case 'handler-error':
      return { ru: `Обработчик бросил исключение${where}: ${p.message}`, en: `A handler threw${where}: ${p.message}` };
    case 'event-budget':
      return {
        ru: `Прогон превысил бюджет событий — бесконечный цикл сообщений или таймеров? (${p.message})`,
        en: `The run exceeded its event budget — an endless loop of messages or timers? (${p.message})`,
      };
    case 'time-limit':
      return { ru: `Прогон упёрся в лимит виртуального времени (${p.message})`, en: `The run hit the virtual time limit (${p.message})` };
  }
}

/** Evaluates one check on one run; learner-code problems and evaluation errors become violations. */
export function evaluate(check: CheckSpec, run: RunOutcome): Violation | null {
  const fatal = run.problems.find((p) => p.kind === 'module-load' || p.kind === 'missing-export' || p.kind === 'event-budget');
  if (fatal) return { message: problemText(fatal), at: fatal.at };
  let v: Violation | null;
  try {
    v = check.verify(run);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    v = {
      message: {
        ru: `Не удалось проверить итоговое состояние (неожиданная форма данных?): ${msg}`,
        en: `Could not evaluate the final state (unexpected data shape?): ${msg}`,
      },
    };
  }
  if (v) {
    const thrown = run.learnerErrors()[0];
    if (thrown) {
      const extra = problemText(thrown);
      v = { ...v, message: { ru: `${v.message.ru} Замечено: ${extra.ru}`, en: `${v.message.en} Also seen: ${extra.en}` } };
    }
  }
  return v;
}

/** A check's observation of a run (`CheckSpec.observe`), bounded; an error in it is reported as text, never thrown. */
export function observe(check: CheckSpec, run: RunOutcome): Localized | null {
  if (!check.observe) return null;
  const bound = (s: unknown) => (typeof s === 'string' ? (s.length > 2000 ? `${s.slice(0, 1999)}…` : s) : '');
  try {
    const o = check.observe(run);
    return o ? { ru: bound(o.ru), en: bound(o.en) } : null;
  } catch (e) {
    const msg = bound(e instanceof Error ? e.message : String(e));
    return { ru: `Наблюдение недоступно: ${msg}`, en: `Observation unavailable: ${msg}` };
  }
}

/** Trace events around a violation (or the tail of the run when it has no time). */
export function traceSlice(run: RunOutcome, v: Violation): TraceEvent[] {
  const all = run.trace();
  if (v.at === undefined) return all.slice(-40);
  let idx = all.findIndex((e) => e.t > v.at!);
  if (idx < 0) idx = all.length;
  const from = Math.max(0, idx - Math.floor(SLICE_MAX * 0.75));
  return all.slice(from, Math.min(all.length, from + SLICE_MAX));
}

function reachedLevel(checks: CheckReport[], rubric: boolean): Level | null {
  if (!rubric) return null;
  let reached: Level | null = null;
  for (const level of LEVEL_ORDER) {
    const mine = checks.filter((c) => c.level === level);
    if (mine.length === 0 || !mine.every((c) => c.passed)) break;
    reached = level;
  }
  return reached;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

interface CheckState {
  spec: CheckSpec;
  report: CheckReport;
}

/** Grades a learner module (given as a ModuleFactory) on an exercise. */
export async function gradeWithFactory(ex: ExerciseDefinition, code: ModuleFactory | LearnerRuntime, opts: GradeOptions = {}): Promise<GradeReport> {
  const runtime = asRuntime(code);
  const started = now();
  const seeds = Math.max(0, Math.floor(opts.seeds ?? DEFAULT_SEEDS));
  const seedBase = Math.floor(opts.seedBase ?? DEFAULT_SEED_BASE);
  const states: CheckState[] = ex.checks.map((spec) => ({
    spec,
    report: {
      id: spec.id,
      title: spec.title,
      level: spec.level,
      criterion: spec.criterion,
      points: spec.points,
      earned: 0,
      passed: true,
      seedsRun: 0,
      failingSeed: null,
      failingScenario: null,
      faults: null,
      message: null,
      traceSlice: [],
    },
  }));
  const digests: string[] = [];
  const problems: LearnerProblem[] = [];
  const noteProblems = (run: RunHandle, failed: boolean) => {
    for (const p of failed ? [...run.problems, ...run.learnerErrors()] : run.problems) {
      if (problems.length >= 10) return;
      if (!problems.some((q) => q.kind === p.kind && q.service === p.service && q.message === p.message)) problems.push(p);
    }
  };
  const scenarioIds = ex.scenarios.map((s) => s.id).filter((id) => states.some((s) => s.spec.scenarios.includes(id)));
  const randomStates = states.filter((s) => s.spec.random);
  const total = scenarioIds.length + (randomStates.length > 0 ? seeds : 0);
  let done = 0;
  let runs = 0;

  for (const sid of scenarioIds) {
    const sc = ex.scenarios.find((s) => s.id === sid)!;
    const setup = sc.setup();
    const run = await runOnce({ exercise: ex, runtime, scenario: sid, seed: sc.seed, random: false, setup, faults: setup.faults ?? [] });
    runs++;
    digests.push(run.fingerprint());
    let failed = false;
    for (const st of states) {
      if (!st.report.passed || !st.spec.scenarios.includes(sid)) continue;
      if (st.report.observation === undefined) {
        const o = observe(st.spec, run);
        if (o) st.report.observation = o;
      }
      const v = evaluate(st.spec, run);
      if (v) {
        fail(st, run, v, null);
        failed = true;
      }
    }
    noteProblems(run, failed);
    opts.onProgress?.({ done: ++done, total, phase: 'scenarios' });
  }

  if (randomStates.length > 0) {
    for (let i = 0; i < seeds; i++) {
      if (randomStates.every((s) => !s.report.passed)) break;
      const seed = seedBase + i;
      const faults = generateSchedule(seed, ex.random.schedule);
      const setup = ex.random.setup(seed);
      const run = await runOnce({ exercise: ex, runtime, scenario: 'random', seed, random: true, setup, faults });
      runs++;
      digests.push(run.fingerprint());
      let failed = false;
      for (const st of randomStates) {
        if (!st.report.passed) continue;
        st.report.seedsRun++;
        const v = evaluate(st.spec, run);
        if (v) {
          fail(st, run, v, seed);
          failed = true;
        }
      }
      noteProblems(run, failed);
      opts.onProgress?.({ done: ++done, total, phase: 'random' });
    }
  }

  for (const st of states) {
    // A check that only random runs can evidence is not passed by running none of them.
    if (st.report.passed && st.spec.scenarios.length === 0 && st.report.seedsRun === 0) {
      st.report.passed = false;
      st.report.message = {
        ru: 'Не проверено: ни одного случайного прогона (seeds = 0).',
        en: 'Not evaluated: no random runs (seeds = 0).',
      };
    }
    st.report.earned = st.report.passed ? st.report.points : 0;
  }
  const checks = states.map((s) => s.report);
  const level = reachedLevel(checks, ex.rubric);
  return {
    exercise: ex.id,
    exerciseVersion: ex.version,
    score: checks.reduce((s, c) => s + c.earned, 0),
    maxScore: checks.reduce((s, c) => s + c.points, 0),
    level,
    levelPoints: level ? LEVEL_POINTS[level] : 0,
    durationMs: Math.round(now() - started),
    // SHA-256 over the per-run trace fingerprints (Trace.fingerprint(): fast in the locked-down realm, unlike a per-run SHA-256).
    traceDigest: digestJson({ exercise: ex.id, version: ex.version, seeds, seedBase, runs: digests }),
    seeds,
    seedBase,
    runs,
    checks,
    problems,
  };
}

function fail(st: CheckState, run: RunHandle, v: Violation, seed: number | null): void {
  st.report.passed = false;
  st.report.failingSeed = seed;
  st.report.failingScenario = run.scenario;
  st.report.faults = run.faults.length > 0 || seed !== null ? run.faults : null;
  const scen = run.random
    ? { ru: `случайный прогон с отказами, seed ${run.seed}`, en: `random fault run, seed ${run.seed}` }
    : { ru: `сценарий «${run.scenario}»`, en: `scenario "${run.scenario}"` };
  st.report.message = { ru: `[${scen.ru}] ${v.message.ru}`, en: `[${scen.en}] ${v.message.en}` };
  st.report.traceSlice = traceSlice(run, v);
}

/** One run for the "Run" button / "replay this seed": full trace, logs, final state and verdicts. */
export async function runScenarioWithFactory(ex: ExerciseDefinition, code: ModuleFactory | LearnerRuntime, opts: RunOptions = {}): Promise<RunReport> {
  const runtime = asRuntime(code);
  let scenarioId = opts.scenario;
  if (!scenarioId && opts.checkId) {
    const c = ex.checks.find((x) => x.id === opts.checkId);
    if (!c) throw new Error(`unknown check "${opts.checkId}" in exercise ${ex.id}`);
    scenarioId = c.scenarios[0] ?? 'random';
  }
  scenarioId ??= ex.scenarios[0]!.id;
  let run: RunHandle;
  if (scenarioId === 'random') {
    const seed = opts.seed ?? DEFAULT_SEED_BASE;
    run = await runOnce({
      exercise: ex,
      runtime,
      scenario: 'random',
      seed,
      random: true,
      setup: ex.random.setup(seed),
      faults: generateSchedule(seed, ex.random.schedule),
    });
  } else {
    const sc = ex.scenarios.find((s) => s.id === scenarioId);
    if (!sc) throw new Error(`unknown scenario "${scenarioId}" in exercise ${ex.id}`);
    const setup = sc.setup();
    run = await runOnce({ exercise: ex, runtime, scenario: sc.id, seed: opts.seed ?? sc.seed, random: false, setup, faults: setup.faults ?? [] });
  }
  const trace = run.trace();
  const logs = trace
    .filter((e) => e.kind === 'log')
    .map((e) => {
      const d = (e.data ?? {}) as { level?: string; message?: string; args?: unknown };
      return { t: e.t, service: e.service ?? '', level: String(d.level ?? 'info'), message: typeof d.message === 'string' ? d.message : JSON.stringify(d.args ?? d) };
    });
  const state: RunReport['state'] = {};
  for (const service of run.sim.services) {
    state[service] = {};
    for (const table of run.sim.tables(service)) state[service]![table] = run.rows(service, table);
  }
  const applicable = ex.checks.filter((c) => (run.random ? c.random : c.scenarios.includes(run.scenario)));
  return {
    exercise: ex.id,
    exerciseVersion: ex.version,
    scenario: run.scenario,
    seed: run.seed,
    faults: run.faults,
    reason: run.reason,
    now: run.now,
    events: run.events,
    traceDigest: run.digest(),
    logs,
    trace: trace.slice(0, opts.maxTraceEvents ?? 5000),
    state,
    checks: applicable.map((c) => {
      const v = evaluate(c, run);
      const o = run.random ? null : observe(c, run);
      return { id: c.id, title: c.title, passed: v === null, message: v ? v.message : null, ...(o ? { observation: o } : {}) };
    }),
    problems: [...run.problems, ...run.learnerErrors()],
  };
}

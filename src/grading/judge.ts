/**
 * The judge half of grading: takes encoded run records (in plan order), rebuilds
 * each RunOutcome, evaluates the checks, and builds the report — scores, levels,
 * fingerprints, the digest, trace slices and every message. It runs where
 * learner code cannot reach (the CLI's main thread, the app's page, the test
 * process) and reads nothing of a run but the record's plain data and its own
 * plan.
 *
 *   const judge = new GradeJudge(ex, gradePlan(ex, seeds, seedBase));
 *   judge.accept(0, json0); judge.accept(1, json1); …   // until !judge.wantsMore
 *   judge.stop(cause, true);                            // the sandbox ended early (timeout, memory, …)
 *   const report = judge.report(durationMs);
 *
 * Every learner-derived string in a report is clipped and has its control
 * characters escaped (safe-text.ts).
 */
import { digestJson } from '../sim/trace.ts';
import type { TraceEvent } from '../sim/trace.ts';
import { outcomeFromRecord, fingerprintRecord, type JudgedRun } from './outcome.ts';
import { RANDOM, type GradePlan, type PlannedRun, type ExecuteRun, toExecute } from './plan.ts';
import { BadRecord, decodeRecord, DEFAULT_RUN_CHARS, defaultJobChars, isOverCap, validateRecord, type EncodedRecord, type OverCapRecord, type RecordCaps, type SizedRecord } from './record.ts';
import { clipText, escapeControls, MESSAGE_MAX, safeText, safeValue, TEXT_MAX } from './safe-text.ts';
import {
  LEVEL_ORDER,
  LEVEL_POINTS,
  type CheckReport,
  type CheckSpec,
  type ExerciseDefinition,
  type GradeProgress,
  type GradeReport,
  type LearnerProblem,
  type Level,
  type Localized,
  type RunOutcome,
  type RunReport,
  type Violation,
} from './types.ts';

const SLICE_MAX = 60;
const MAX_PROBLEMS = 10;
/** Limits of one trace event's data in a report (display only: checks saw the full data). */
const EVENT_LIMITS = { text: TEXT_MAX, items: 30, depth: 6, total: 2000 };

/** Why the sandbox stopped before the plan was done; named in the checks it leaves unevaluated. */
export interface StopCause {
  kind: 'timeout' | 'memory' | 'crashed' | 'budget' | 'job-cap' | 'protocol';
  message: Localized;
}

export function problemText(p: LearnerProblem): Localized {
  const where = p.service ? ` (${p.service})` : '';
  const msg = clipText(p.message, TEXT_MAX);
  switch (p.kind) {
    case 'module-load':
      return { ru: `Модуль упал при загрузке${where}: ${msg}`, en: `Your module threw while loading${where}: ${msg}` };
    case 'missing-export':
      return { ru: `Нет нужного экспорта${where}: ${msg}`, en: `Missing export${where}: ${msg}` };
    case 'start-error':
      return { ru: `Запуск сервиса завершился ошибкой${where}: ${msg}`, en: `Service start failed${where}: ${msg}` };
    case 'handler-error':
      return { ru: `Обработчик бросил исключение${where}: ${msg}`, en: `A handler threw${where}: ${msg}` };
    case 'unhandled-rejection':
      return {
        ru: `Необработанный отказ промиса в фоновой работе (нет catch у void-вызова?)${where}: ${msg}`,
        en: `Unhandled promise rejection in background work (a void call without a catch?)${where}: ${msg}`,
      };
    case 'event-budget':
      return {
        ru: `Прогон превысил бюджет событий — бесконечный цикл сообщений или таймеров? (${msg})`,
        en: `The run exceeded its event budget — an endless loop of messages or timers? (${msg})`,
      };
    case 'time-limit':
      return { ru: `Прогон упёрся в лимит виртуального времени (${msg})`, en: `The run hit the virtual time limit (${msg})` };
  }
}

/** Evaluates one check on one run; learner-code problems and evaluation errors become violations. */
export function evaluate(check: CheckSpec, run: RunOutcome): Violation | null {
  const fatal = run.problems.find((p) => p.kind === 'module-load' || p.kind === 'missing-export' || p.kind === 'event-budget');
  if (fatal) return { message: problemText(fatal), ...(fatal.at !== undefined ? { at: fatal.at } : {}) };
  let v: Violation | null;
  try {
    v = check.verify(run);
  } catch (e) {
    const msg = clipText(e instanceof Error ? e.message : String(e), TEXT_MAX);
    v = {
      message: {
        ru: `Не удалось проверить итоговое состояние (неожиданная форма данных?): ${msg}`,
        en: `Could not evaluate the final state (unexpected data shape?): ${msg}`,
      },
    };
  }
  if (v) {
    const thrown = run.learnerErrors()[0];
    const base = { ru: clipText(String(v.message.ru), MESSAGE_MAX), en: clipText(String(v.message.en), MESSAGE_MAX) };
    if (thrown) {
      const extra = problemText(thrown);
      v = { ...v, message: { ru: `${base.ru} Замечено: ${extra.ru}`, en: `${base.en} Also seen: ${extra.en}` } };
    } else v = { ...v, message: base };
  }
  return v;
}

/** How long an observation may be (`CheckSpec.observe`). */
const OBSERVATION_MAX = 2000;

/**
 * A check's observation of a run (`CheckSpec.observe`): informational, never
 * scored; bounded and escaped (newlines kept: observations are multi-line); an
 * error in it is reported as text, never thrown.
 */
export function observe(check: CheckSpec, run: RunOutcome): Localized | null {
  if (!check.observe) return null;
  const bound = (s: unknown) => escapeControls(clipText(typeof s === 'string' ? s : '', OBSERVATION_MAX), true);
  try {
    const o = check.observe(run);
    return o ? { ru: bound(o.ru), en: bound(o.en) } : null;
  } catch (e) {
    const msg = bound(e instanceof Error ? e.message : String(e));
    return { ru: `Наблюдение недоступно: ${msg}`, en: `Observation unavailable: ${msg}` };
  }
}

/** A bounded, display-safe copy of one trace event. */
export function safeEvent(e: TraceEvent, limits = EVENT_LIMITS): TraceEvent {
  const c: TraceEvent = { id: e.id, t: e.t, kind: e.kind };
  if (e.service !== undefined) c.service = e.service;
  if (e.peer !== undefined) c.peer = e.peer;
  if (e.cause !== undefined) c.cause = e.cause;
  if (e.data !== undefined) c.data = safeValue(e.data, limits);
  return c;
}

/** Trace events around a violation (or the tail of the run when it has no time), display-safe. */
export function traceSlice(run: RunOutcome, v: Violation): TraceEvent[] {
  const all = run.trace();
  let from: number;
  if (v.at === undefined) from = Math.max(0, all.length - 40);
  else {
    let idx = all.findIndex((e) => e.t > v.at!);
    if (idx < 0) idx = all.length;
    from = Math.max(0, idx - Math.floor(SLICE_MAX * 0.75));
  }
  return all.slice(from, Math.min(all.length, from + (v.at === undefined ? 40 : SLICE_MAX))).map((e) => safeEvent(e));
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

function where(run: { random: boolean; seed: number; scenario: string }): Localized {
  return run.random
    ? { ru: `случайный прогон с отказами, seed ${run.seed}`, en: `random fault run, seed ${run.seed}` }
    : { ru: `сценарий «${run.scenario}»`, en: `scenario "${run.scenario}"` };
}

function mb(chars: number): string {
  return `${Math.round((chars / 1048576) * 10) / 10}`;
}

/** The violation of a run whose record was refused. */
export function overCapViolation(r: OverCapRecord): Violation {
  const { what, limitChars } = r.overCap;
  if (what === 'job') {
    return { message: {
      ru: `Прогоны этой оценки вместе выдали больше ${mb(limitChars)} МБ трассы и состояния (предел ${mb(limitChars)} МБ): остальные прогоны не выполнялись.`,
      en: `The runs of this grade produced more than ${mb(limitChars)} MB of trace and state together (limit ${mb(limitChars)} MB): the remaining runs were not executed.`,
    } };
  }
  if (what === 'depth') {
    return { message: {
      ru: 'Данные прогона (строки таблиц или события трассы) вложены слишком глубоко (больше 64 уровней), их нельзя проверить.',
      en: 'The run\'s data (table rows or trace events) is nested too deeply (over 64 levels) to be checked.',
    } };
  }
  if (what === 'unreadable') {
    return { message: {
      ru: 'Данные прогона не удалось прочитать (при чтении было брошено исключение): их нельзя проверить.',
      en: 'The run\'s data could not be read (reading it threw): it cannot be checked.',
    } };
  }
  return { message: {
    ru: `Прогон выдал больше ${mb(limitChars)} МБ трассы и состояния (предел ${mb(limitChars)} МБ на прогон): огромные строки в сообщениях, логах или строках таблиц?`,
    en: `The run produced more than ${mb(limitChars)} MB of trace and state (limit ${mb(limitChars)} MB per run): huge strings in messages, logs or rows?`,
  } };
}

interface CheckState {
  spec: CheckSpec;
  report: CheckReport;
}

export interface JudgeOptions {
  onProgress?: (p: GradeProgress) => void;
  caps?: Partial<RecordCaps>;
}

/** Judges the records of one grade, in plan order. */
export class GradeJudge {
  readonly caps: RecordCaps;
  private readonly states: CheckState[];
  private readonly randomStates: CheckState[];
  private readonly fingerprints: string[] = [];
  private readonly problems: LearnerProblem[] = [];
  private judgedRuns = 0;
  private chars = 0;
  private stopped: StopCause | undefined;
  private readonly total: number;

  constructor(
    readonly ex: ExerciseDefinition,
    readonly plan: GradePlan,
    private readonly opts: JudgeOptions = {},
  ) {
    this.caps = { runChars: opts.caps?.runChars ?? DEFAULT_RUN_CHARS, jobChars: opts.caps?.jobChars ?? defaultJobChars(plan.runs.length) };
    this.states = ex.checks.map((spec) => ({
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
    this.randomStates = this.states.filter((s) => s.spec.random);
    this.total = plan.runs.length;
  }

  /** What the worker must execute (without the judge-only workload data). */
  get execute(): ExecuteRun[] {
    return this.plan.runs.map(toExecute);
  }

  /** Records judged so far. */
  get judged(): number {
    return this.judgedRuns;
  }

  /** Whether the next planned run is still needed (false when done, stopped, or every random check already failed). */
  get wantsMore(): boolean {
    if (this.stopped || this.judgedRuns >= this.plan.runs.length) return false;
    if (this.plan.runs[this.judgedRuns]!.random && this.randomStates.every((s) => !s.report.passed)) return false;
    return true;
  }

  private applicable(run: PlannedRun): CheckState[] {
    return run.random ? this.randomStates.filter((s) => s.report.passed) : this.states.filter((s) => s.report.passed && s.spec.scenarios.includes(run.scenario));
  }

  private fail(st: CheckState, run: PlannedRun, v: Violation, judged?: RunOutcome): void {
    const scen = where(run);
    st.report.passed = false;
    st.report.failingSeed = run.random ? run.seed : null;
    st.report.failingScenario = run.scenario;
    st.report.faults = run.faults.length > 0 || run.random ? run.faults : null;
    st.report.message = {
      ru: escapeControls(`[${scen.ru}] ${v.message.ru}`),
      en: escapeControls(`[${scen.en}] ${v.message.en}`),
    };
    st.report.traceSlice = judged ? traceSlice(judged, v) : [];
  }

  private noteProblems(problems: LearnerProblem[]): void {
    for (const p of problems) {
      if (this.problems.length >= MAX_PROBLEMS) return;
      const safe: LearnerProblem = { ...p, message: safeText(p.message, TEXT_MAX), ...(p.service !== undefined ? { service: safeText(p.service, 100) } : {}) };
      if (!this.problems.some((q) => q.kind === safe.kind && q.service === safe.service && q.message === safe.message)) this.problems.push(safe);
    }
  }

  private progress(): void {
    const done = this.judgedRuns;
    this.opts.onProgress?.({ done, total: this.total, phase: done <= this.plan.scenarioRuns ? 'scenarios' : 'random' });
  }

  /**
   * Judges the record of run `index`: the JSON a worker sent, or (trusted code
   * in process) the record object itself. A record that is not the next one,
   * not valid, or over the caps stops the grade (`protocol`): the sandbox
   * misbehaved.
   */
  accept(index: number, json: unknown): void {
    if (this.stopped) return;
    if (index !== this.judgedRuns || index >= this.plan.runs.length) {
      this.stop(protocolCause(`record ${index} arrived where ${this.judgedRuns} was expected`), false);
      return;
    }
    const planned = this.plan.runs[index]!;
    let rec: EncodedRecord;
    try {
      rec = readRecord(json, planned, this.caps.runChars);
      this.chars += typeof json === 'string' ? json.length : (json as SizedRecord).size;
      if (this.chars > this.caps.jobChars + this.caps.runChars) throw new BadRecord('the records passed the job cap');
    } catch (e) {
      this.stop(protocolCause(e instanceof BadRecord ? e.message : String(e)), true);
      return;
    }
    if (isOverCap(rec)) {
      const v = overCapViolation(rec);
      if (rec.overCap.what === 'job') {
        this.stop({ kind: 'job-cap', message: v.message }, true);
        return;
      }
      for (const st of this.applicable(planned)) {
        if (planned.random) st.report.seedsRun++;
        this.fail(st, planned, v);
      }
    } else {
      const run: JudgedRun = outcomeFromRecord(this.ex, planned, rec);
      let failed = false;
      for (const st of this.applicable(planned)) {
        if (planned.random) st.report.seedsRun++;
        else if (st.report.observation === undefined) {
          // On the first scenario run the check is evaluated on, whether or not it passes there.
          const o = observe(st.spec, run);
          if (o) st.report.observation = o;
        }
        const v = evaluate(st.spec, run);
        if (v) {
          this.fail(st, { ...planned, faults: run.faults }, v, run);
          failed = true;
        }
      }
      this.noteProblems(failed ? [...run.problems, ...run.learnerErrors()] : run.problems);
    }
    this.fingerprints.push(fingerprintRecord(rec));
    this.judgedRuns++;
    this.progress();
  }

  /**
   * The sandbox ended before the plan was done. `inFlight`: the cause belongs to
   * the run being executed (the next one to judge), whose checks fail with it;
   * every check with runs left unevaluated fails as not evaluated.
   */
  stop(cause: StopCause, inFlight: boolean): void {
    if (this.stopped) return;
    if (inFlight && this.judgedRuns < this.plan.runs.length && this.wantsMore) {
      const run = this.plan.runs[this.judgedRuns]!;
      for (const st of this.applicable(run)) {
        if (run.random) st.report.seedsRun++;
        this.fail(st, run, { message: cause.message });
      }
    }
    this.stopped = cause;
  }

  /** Whether the grade ended early for a cause (then the report names it). */
  get stopCause(): StopCause | undefined {
    return this.stopped;
  }

  report(durationMs: number): GradeReport {
    const next = this.judgedRuns;
    for (const st of this.states) {
      if (!st.report.passed) continue;
      if (this.stopped) {
        // Runs this check needed that were never judged.
        const pending = this.plan.runs.slice(next).some((r) => (r.random ? st.spec.random : st.spec.scenarios.includes(r.scenario)));
        if (pending) {
          st.report.passed = false;
          st.report.message = {
            ru: escapeControls(`Не проверено: ${this.stopped.message.ru}`),
            en: escapeControls(`Not evaluated: ${this.stopped.message.en}`),
          };
          continue;
        }
      }
      // A check that only random runs can evidence is not passed by running none of them.
      if (st.spec.scenarios.length === 0 && st.report.seedsRun === 0) {
        st.report.passed = false;
        st.report.message = { ru: 'Не проверено: ни одного случайного прогона (seeds = 0).', en: 'Not evaluated: no random runs (seeds = 0).' };
      }
    }
    for (const st of this.states) st.report.earned = st.report.passed ? st.report.points : 0;
    const checks = this.states.map((s) => s.report);
    const level = reachedLevel(checks, this.ex.rubric);
    const { seeds, seedBase } = this.plan;
    return {
      exercise: this.ex.id,
      exerciseVersion: this.ex.version,
      score: checks.reduce((s, c) => s + c.earned, 0),
      maxScore: checks.reduce((s, c) => s + c.points, 0),
      level,
      levelPoints: level ? LEVEL_POINTS[level] : 0,
      durationMs: Math.round(durationMs),
      traceDigest: digestJson({
        exercise: this.ex.id,
        version: this.ex.version,
        seeds,
        seedBase,
        runs: this.fingerprints,
        ...(this.stopped ? { stopped: this.stopped.kind } : {}),
      }),
      seeds,
      seedBase,
      runs: this.judgedRuns,
      checks,
      problems: this.problems,
    };
  }
}

/** A record from the worker's JSON, or the in-process record object (validated the same way). */
function readRecord(input: unknown, planned: { scenario: string; seed: number }, runChars: number): EncodedRecord {
  if (typeof input === 'string') return decodeRecord(input, planned, runChars);
  const sized = input as SizedRecord | undefined;
  if (!sized || typeof sized !== 'object' || typeof sized.size !== 'number' || sized.size > runChars) throw new BadRecord('malformed run record: no record');
  return validateRecord(sized.record, planned);
}

function protocolCause(detail: string): StopCause {
  const d = safeText(detail, 200);
  return {
    kind: 'protocol',
    message: {
      ru: `Песочница вернула неверные данные прогона (${d}); оценка остановлена.`,
      en: `The sandbox returned invalid run data (${d}); grading stopped.`,
    },
  };
}

/** Limits of a RunReport (the Run button / replay): display only, checks saw the full record. */
const RUN_EVENT_LIMITS = { text: TEXT_MAX, items: 30, depth: 6, total: 1000 };
const STATE_ROWS_MAX = 1000;
const STATE_TABLES_MAX = 100;
const ROW_LIMITS = { text: TEXT_MAX, items: 50, depth: 6, total: 2000 };

/** The record of a single run could not be turned into a report. */
export class RunNotJudged extends Error {
  constructor(readonly text: Localized) {
    super(text.en);
    this.name = 'RunNotJudged';
  }
}

/** Judges one run for the "Run" button / "replay this seed": verdicts, logs, the trace and the final state, display-safe. */
export function judgeRun(ex: ExerciseDefinition, planned: PlannedRun, json: unknown, opts: { maxTraceEvents?: number; runChars?: number } = {}): RunReport {
  let rec;
  try {
    rec = readRecord(json, planned, opts.runChars ?? DEFAULT_RUN_CHARS);
  } catch (e) {
    throw new RunNotJudged(protocolCause(e instanceof Error ? e.message : String(e)).message);
  }
  if (isOverCap(rec)) throw new RunNotJudged(overCapViolation(rec).message);
  const run = outcomeFromRecord(ex, planned, rec);
  const trace = run.trace();
  const logs: RunReport['logs'] = [];
  for (const e of trace) {
    if (e.kind !== 'log') continue;
    const d = (e.data ?? {}) as { level?: unknown; message?: unknown; args?: unknown };
    const message = typeof d.message === 'string' ? d.message : JSON.stringify(safeValue(d.args ?? d, RUN_EVENT_LIMITS)) ?? '';
    logs.push({ t: e.t, service: e.service ?? '', level: safeText(String(d.level ?? 'info'), 20), message: safeText(message, TEXT_MAX) });
  }
  const state: RunReport['state'] = {};
  for (const [service, tables] of run.tableList) {
    const own: Record<string, RunReport['state'][string][string]> = {};
    for (const [table, rows] of tables.slice(0, STATE_TABLES_MAX)) {
      const shown = rows.slice(0, STATE_ROWS_MAX).map((r) => safeValue(r, ROW_LIMITS) as RunReport['state'][string][string][number]);
      if (rows.length > STATE_ROWS_MAX) shown.push({ '…': `+${rows.length - STATE_ROWS_MAX} rows` });
      Object.defineProperty(own, safeText(table, 100), { value: shown, enumerable: true, writable: true, configurable: true });
    }
    Object.defineProperty(state, service, { value: own, enumerable: true, writable: true, configurable: true });
  }
  const applicable = ex.checks.filter((c) => (planned.random ? c.random : c.scenarios.includes(planned.scenario)));
  return {
    exercise: ex.id,
    exerciseVersion: ex.version,
    scenario: planned.scenario,
    seed: planned.seed,
    faults: run.faults,
    reason: run.reason,
    now: run.now,
    events: run.events,
    traceDigest: run.digest(),
    logs,
    trace: trace.slice(0, opts.maxTraceEvents ?? 5000).map((e) => safeEvent(e, RUN_EVENT_LIMITS)),
    state,
    checks: applicable.map((c) => {
      const v = evaluate(c, run);
      const o = planned.random ? null : observe(c, run);
      return {
        id: c.id,
        title: c.title,
        passed: v === null,
        message: v ? { ru: escapeControls(v.message.ru), en: escapeControls(v.message.en) } : null,
        ...(o ? { observation: o } : {}),
      };
    }),
    problems: [...run.problems, ...run.learnerErrors()].map((p) => ({ ...p, message: safeText(p.message, TEXT_MAX) })),
  };
}

export { RANDOM };

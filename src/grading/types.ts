/**
 * Types of the grading layer: how an exercise is described (scenarios, checks,
 * rubric levels) and what a grade or a single run reports back.
 *
 * Everything in a report is plain JSON (structured-clone safe) so it can cross a
 * worker boundary or be stored by the app as is.
 */
import type { Json, Row, ServiceContext, ServiceDefinition, TableSpec } from '../sim/types.ts';
import type { Fault, FaultSchedule, ScheduleOptions } from '../sim/nemesis.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { NetworkConfig } from '../sim/network.ts';
import type { GroupStats, TopicConfig } from '../sim/broker.ts';
import type { ChangeRecord } from '../sim/changelog.ts';

export type { ChangeRecord, Fault, FaultSchedule, GroupStats, TopicConfig, TraceEvent };

/** Learner-facing text, always in both languages. */
export interface Localized {
  ru: string;
  en: string;
}

export type Lang = keyof Localized;

/** Rubric levels of the course (chapter "Критерии оценки"): 50 / 75 / 100 points. */
export type Level = 'basic' | 'advanced' | 'expert';

export const LEVEL_ORDER: readonly Level[] = ['basic', 'advanced', 'expert'];
export const LEVEL_POINTS: Record<Level, number> = { basic: 50, advanced: 75, expert: 100 };

/**
 * Same shape as the sandbox's `ModuleEnv`/`ModuleFactory` (src/sandbox): each call
 * returns a fresh, isolated instance of the learner's module (its exports).
 */
export interface ModuleEnv {
  random(): number;
  now(): number;
  setTimer(fn: () => void, ms: number): number;
  clearTimer(id: number): void;
  /** Where the learner's console.* goes. */
  log?(level: 'log' | 'info' | 'warn' | 'error' | 'debug', args: unknown[]): void;
}
export type ModuleFactory = (env: ModuleEnv) => Record<string, unknown>;

/** How learner code is run: the factory plus optional realm-specific hooks. */
export interface LearnerRuntime {
  factory: ModuleFactory;
  /** Wraps the kernel's context before learner code sees it (the sandbox hands out a hardened facade). */
  wrapContext?: (ctx: ServiceContext) => ServiceContext;
  /** Maps thrown values to report-friendly errors (e.g. learner line numbers via the source map). */
  describeError?: (err: unknown) => { name: string; message: string; stack?: string; line?: number; column?: number };
}

/** Simulation options a scenario may set (a subset of the kernel's). */
export interface ScenarioSimOptions {
  network?: NetworkConfig;
  /**
   * Broker options by topic name (`orderedByKey`, `duplicate`, `ackTimeoutMs`,
   * `retryDelayMs`; src/sim/broker.ts). Merged over the exercise's
   * `sim.brokerTopics`, topic by topic.
   */
  brokerTopics?: Record<string, TopicConfig>;
  /** `tx-commit` trace events also carry per-table counts `{ insert, update, delete }` (changes the trace, so opt-in). */
  traceChanges?: boolean;
  maxEvents?: number;
  maxTime?: number;
}

/** Rows a table holds before the run (`ScenarioSetup.initialRows`). */
export interface InitialTable {
  /** The table definition; give the same one the service's own `createTable` uses. */
  spec?: TableSpec;
  rows: Row[];
}

/** What a scenario builds for one run. Built afresh for every run. */
export interface ScenarioSetup {
  /** Exercise-provided services (participants, clients), started before the learner's. */
  services: ServiceDefinition[];
  sim?: ScenarioSimOptions;
  /** Fixed faults of a deterministic scenario (random runs get a generated schedule instead). */
  faults?: FaultSchedule;
  /**
   * Pre-filled tables, service → table → rows, loaded before any service
   * starts (e.g. a v1 event history in the learner's store). Loaded as the
   * database's commit 0: in its change log and traced as `tx-commit` with
   * `initial: true`.
   */
  initialRows?: Record<string, Record<string, InitialTable>>;
  /**
   * Optional driver for condition-triggered faults ("crash the orchestrator right
   * after the hotel reservation commits"). After it returns, the run continues
   * until quiescence.
   */
  drive?: (h: ScenarioHarness) => Promise<void>;
  /** Anything the checks need to know about the workload (requests, expected outcomes). */
  data?: Json;
}

/** What a scenario driver may do to the running simulation. */
export interface ScenarioHarness {
  now(): number;
  rows(service: string, table: string): Row[];
  /** Messages of `topic` that consumer group `group` has not acknowledged yet. */
  brokerBacklog(topic: string, group: string): number;
  /**
   * Calls a service as a client would: from the node `harness` (added on first
   * use; partitions that do not list it put it in the unlisted group), traced
   * like any call. Runs the simulation until the reply or the timeout (default
   * 200 virtual ms) and returns the reply value or rejects like `ctx.call`.
   */
  call<T = any>(to: string, method: string, payload?: Json, timeoutMs?: number): Promise<T>;
  /** Publishes to a broker topic from the node `harness`; resolves once the broker stored it (runs the simulation meanwhile). */
  publish(topic: string, payload: Json, key?: string): Promise<void>;
  /** Applies any fault now (e.g. a `crash-after` point armed at this moment); reports list it. */
  inject(fault: Fault): void;
  /**
   * Deploys new code for a service now: the running incarnation crashes and
   * the new code starts at once, database intact (e.g. consumers switching from
   * v1 to v2 events). `code`: a learner export name, or a provided definition.
   */
  redeploy(service: string, code: string | ServiceDefinition): void;
  /** Runs until `predicate()` holds (checked every `stepMs` virtual ms) or `limitMs` passes. Returns whether it held. */
  runUntil(predicate: () => boolean, limitMs?: number, stepMs?: number): Promise<boolean>;
  /** Runs for `ms` virtual milliseconds. */
  advance(ms: number): Promise<void>;
  crash(service: string): void;
  restart(service: string): void;
  partition(groups: string[][]): void;
  heal(): void;
  /** Records a fault the driver injected so reports can show it. */
  note(fault: Fault): void;
}

export interface ScenarioSpec {
  id: string;
  title: Localized;
  /** Simulation seed of this deterministic scenario. */
  seed: number;
  setup(): ScenarioSetup;
}

/** Random fault runs: one workload per seed plus a generated fault schedule. */
export interface RandomRunSpec {
  title: Localized;
  setup(seed: number): ScenarioSetup;
  schedule: ScheduleOptions;
}

/** A learner-code problem seen during a run (never a grader crash). */
export interface LearnerProblem {
  kind: 'module-load' | 'missing-export' | 'start-error' | 'handler-error' | 'event-budget' | 'time-limit' | 'unhandled-rejection';
  service?: string;
  message: string;
  at?: number;
}

/** Everything a check's property can look at after one run. */
export interface RunOutcome {
  scenario: string;
  seed: number;
  random: boolean;
  faults: FaultSchedule;
  /** Virtual time after which no fault is in effect (0 when there are none). */
  quietAt: number;
  reason: 'quiescent' | 'time-limit' | 'event-budget';
  now: number;
  events: number;
  data: Json | undefined;
  rows(service: string, table: string): Row[];
  /** Names of a service's tables (created or written), in order of creation; [] for an unknown service. */
  tables(service: string): string[];
  /** Messages of `topic` that consumer group `group` has not acknowledged (0 for an unknown topic or group). */
  brokerBacklog(topic: string, group: string): number;
  /** The broker's final state as plain data: topic → messages published and each group's counters. */
  broker(): BrokerState;
  /** Full change log of a service's database in commit order (ids of the `tx-commit` trace events in `traceId`); [] for an unknown service. */
  changes(service: string): readonly ChangeRecord[];
  trace(): TraceEvent[];
  /** Trace events of some kinds, without materialising the rest. */
  traceOf(...kinds: string[]): TraceEvent[];
  /** Fatal learner-code problems (module failed to load, missing export, event budget). */
  problems: LearnerProblem[];
  /** Exceptions thrown by learner code during the run (handlers, start, error replies); computed on demand. */
  learnerErrors(): LearnerProblem[];
}

/** Broker state read after a run. */
export type BrokerState = Record<string, { published: number; groups: Record<string, GroupStats> }>;

/** A violated property: what went wrong, in words, and when. */
export interface Violation {
  message: Localized;
  /** Virtual time of the violation, to cut the trace slice around it. */
  at?: number;
}

export interface CheckSpec {
  id: string;
  title: Localized;
  points: number;
  level: Level;
  /** The course criterion this check evidences (rubric line). */
  criterion: Localized;
  /** Deterministic scenarios run for this check (ids from the exercise's scenarios). */
  scenarios: string[];
  /** Whether the property is also checked on every random fault run. */
  random: boolean;
  /** The property: null when it holds. */
  verify(run: RunOutcome): Violation | null;
  /**
   * Optional evidence the learner reads, never scored: what a deterministic
   * scenario run of this check showed (measured figures, a comparison). Computed
   * on the first of `scenarios` the check is evaluated on; null when there is
   * nothing to say. Build it from numbers and fixed words: learner-controlled
   * strings must not be echoed unbounded.
   */
  observe?(run: RunOutcome): Localized | null;
}

/** Which learner export becomes which simulated service. */
export interface LearnerServiceSpec {
  service: string;
  exportName: string;
}

/** The code part of an exercise (browser- and Node-importable, no file reads). */
export interface ExerciseDefinition {
  id: string;
  version: number;
  chapter: number;
  order: number;
  title: Localized;
  summary: Localized;
  /** Course criteria this exercise gives evidence for. */
  criteria: Localized[];
  /** Whether the course rubric levels (basic/advanced/expert) apply. */
  rubric: boolean;
  learnerServices: LearnerServiceSpec[];
  scenarios: ScenarioSpec[];
  random: RandomRunSpec;
  checks: CheckSpec[];
  hints: Localized[];
  /** Defaults for every run of this exercise (a scenario's `sim` overrides them). */
  sim: Required<Pick<ScenarioSimOptions, 'maxEvents' | 'maxTime'>> & Omit<ScenarioSimOptions, 'maxEvents' | 'maxTime'>;
  /**
   * What each run's record carries beyond rows, the trace and the broker's
   * counters (src/grading/record.ts). `changes: true` adds every database's
   * change log, which checks read with `RunOutcome.changes(service)`; off by
   * default because it is often the largest part of a record.
   */
  record?: { changes?: boolean };
}

/** Serializable summary of an exercise (for lists and the app). */
export interface ExerciseInfo {
  id: string;
  version: number;
  chapter: number;
  order: number;
  title: Localized;
  summary: Localized;
  criteria: Localized[];
  rubric: boolean;
  hints: Localized[];
  learnerServices: LearnerServiceSpec[];
  maxScore: number;
  checks: Array<{ id: string; title: Localized; points: number; level: Level; criterion: Localized; scenarios: string[]; random: boolean }>;
  scenarios: Array<{ id: string; title: Localized }>;
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

export interface CheckReport {
  id: string;
  title: Localized;
  level: Level;
  criterion: Localized;
  points: number;
  earned: number;
  passed: boolean;
  /** Random fault runs this check was evaluated on (up to and including the failing one). */
  seedsRun: number;
  /** Seed of the first failing random run; null when it passed or failed in a deterministic scenario. */
  failingSeed: number | null;
  /** Scenario where it failed ("random" for a random run). */
  failingScenario: string | null;
  /** Fault schedule of the failing run (also for deterministic scenarios with fixed faults). */
  faults: FaultSchedule | null;
  /** The violated property, in words; null when passed. */
  message: Localized | null;
  /** Trace events around the violation (at most ~60). */
  traceSlice: TraceEvent[];
  /** What the check's scenario showed (`CheckSpec.observe`; informational, never scored); absent when the check has none. */
  observation?: Localized;
}

export interface GradeReport {
  exercise: string;
  exerciseVersion: number;
  score: number;
  maxScore: number;
  /** Highest rubric level whose checks (and all lower levels' checks) all pass; null if none or not rubric-graded. */
  level: Level | null;
  /** Rubric points for the level reached (50/75/100), 0 when none. */
  levelPoints: number;
  durationMs: number;
  /** SHA-256 over a 64-bit fingerprint of every run's full trace: same code + same seeds ⇒ same digest. */
  traceDigest: string;
  seeds: number;
  seedBase: number;
  runs: number;
  checks: CheckReport[];
  /** Problems of the learner's code seen in any run (first few), for the summary. */
  problems: LearnerProblem[];
}

export interface GradeProgress {
  done: number;
  total: number;
  phase: 'scenarios' | 'random';
}

export interface GradeOptions {
  /** Random fault runs (default 200). */
  seeds?: number;
  /** First random seed (default 1); run i uses seedBase + i. */
  seedBase?: number;
  onProgress?: (p: GradeProgress) => void;
}

/** Result of one run for the "Run" button and "replay this seed". */
export interface RunReport {
  exercise: string;
  exerciseVersion: number;
  scenario: string;
  seed: number;
  faults: FaultSchedule;
  reason: RunOutcome['reason'];
  now: number;
  events: number;
  traceDigest: string;
  /** Log lines of all services (trace events of kind "log"). */
  logs: Array<{ t: number; service: string; level: string; message: string }>;
  trace: TraceEvent[];
  /** Final committed rows: service → table → rows. */
  state: Record<string, Record<string, Row[]>>;
  /** Check verdicts on this run (checks that apply to it), with what the run showed (`CheckSpec.observe`) when the check has it. */
  checks: Array<{ id: string; title: Localized; passed: boolean; message: Localized | null; observation?: Localized }>;
  problems: LearnerProblem[];
}

export interface RunOptions {
  /** A deterministic scenario id, or "random" (with `seed`). Default: the first scenario of `checkId`, else the first scenario. */
  scenario?: string;
  checkId?: string;
  seed?: number;
  /** Cap on trace events returned (default 5000). */
  maxTraceEvents?: number;
}

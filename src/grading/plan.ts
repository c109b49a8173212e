/**
 * Which runs a grade (or a single Run/replay) consists of, computed by the
 * judge from (exercise, seeds): the scenario or seed of each run, its fault
 * schedule and the workload data checks read. The executing worker receives
 * only what it needs to run them; what the checks see about the schedule and
 * the workload never comes back from the worker.
 */
import { generateSchedule } from '../sim/nemesis.ts';
import type { Json } from '../sim/types.ts';
import type { ExerciseDefinition, FaultSchedule, RunOptions } from './types.ts';

export const DEFAULT_SEEDS = 200;
export const DEFAULT_SEED_BASE = 1;
/** Scenario id of random fault runs. */
export const RANDOM = 'random';

/** What the worker is asked to execute for one run. */
export interface ExecuteRun {
  scenario: string;
  seed: number;
  random: boolean;
  /** Applied before the run starts (the scenario's fixed faults or the seed's generated schedule). */
  faults: FaultSchedule;
}

/** One run as the judge knows it. */
export interface PlannedRun extends ExecuteRun {
  /** The workload description checks read (`RunOutcome.data`). */
  data: Json | undefined;
}

export interface GradePlan {
  runs: PlannedRun[];
  /** How many of `runs` (at the front) are deterministic scenarios. */
  scenarioRuns: number;
  seeds: number;
  seedBase: number;
}

export function randomRun(ex: ExerciseDefinition, seed: number): PlannedRun {
  return { scenario: RANDOM, seed, random: true, faults: generateSchedule(seed, ex.random.schedule), data: ex.random.setup(seed).data };
}

export function scenarioRun(ex: ExerciseDefinition, scenarioId: string, seed?: number): PlannedRun {
  const sc = ex.scenarios.find((s) => s.id === scenarioId);
  if (!sc) throw new Error(`unknown scenario "${scenarioId}" in exercise ${ex.id}`);
  const setup = sc.setup();
  return { scenario: sc.id, seed: seed ?? sc.seed, random: false, faults: setup.faults ?? [], data: setup.data };
}

/** The scenarios some check uses (in the exercise's order), then N seeded random runs if any check is random. */
export function gradePlan(ex: ExerciseDefinition, seedsOpt?: number, seedBaseOpt?: number): GradePlan {
  const seeds = Math.max(0, Math.floor(seedsOpt ?? DEFAULT_SEEDS));
  const seedBase = Math.floor(seedBaseOpt ?? DEFAULT_SEED_BASE);
  const runs: PlannedRun[] = [];
  for (const sc of ex.scenarios) if (ex.checks.some((c) => c.scenarios.includes(sc.id))) runs.push(scenarioRun(ex, sc.id));
  const scenarioRuns = runs.length;
  if (ex.checks.some((c) => c.random)) for (let i = 0; i < seeds; i++) runs.push(randomRun(ex, seedBase + i));
  return { runs, scenarioRuns, seeds, seedBase };
}

/** The one run of the "Run" button / "replay this seed". */
export function singleRunPlan(ex: ExerciseDefinition, opts: RunOptions = {}): PlannedRun {
  let scenarioId = opts.scenario;
  if (!scenarioId && opts.checkId) {
    const c = ex.checks.find((x) => x.id === opts.checkId);
    if (!c) throw new Error(`unknown check "${opts.checkId}" in exercise ${ex.id}`);
    scenarioId = c.scenarios[0] ?? RANDOM;
  }
  scenarioId ??= ex.scenarios[0]!.id;
  return scenarioId === RANDOM ? randomRun(ex, opts.seed ?? DEFAULT_SEED_BASE) : scenarioRun(ex, scenarioId, opts.seed);
}

export function toExecute(p: PlannedRun): ExecuteRun {
  return { scenario: p.scenario, seed: p.seed, random: p.random, faults: p.faults };
}

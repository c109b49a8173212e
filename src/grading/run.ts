/**
 * One simulation run of an exercise — the *execute* half of grading: exercise-
 * provided services + the learner's services (fresh module instance per
 * incarnation), a fault schedule, optional driver, then run to quiescence.
 * Realm-agnostic: learner code comes in through a ModuleFactory. It runs in the
 * learner's realm (the sandbox worker); record.ts copies the result out as
 * plain data and the judge (judge.ts) evaluates it elsewhere.
 */
import { Simulation, type RunResult } from '../sim/simulation.ts';
import type { Row, ServiceContext, ServiceDefinition } from '../sim/types.ts';
import type {
  ExerciseDefinition,
  Fault,
  FaultSchedule,
  LearnerProblem,
  LearnerRuntime,
  ScenarioHarness,
  ScenarioSetup,
} from './types.ts';

export interface RunInput {
  exercise: ExerciseDefinition;
  runtime: LearnerRuntime;
  scenario: string;
  seed: number;
  random: boolean;
  setup: ScenarioSetup;
  /** The run's fault schedule (fixed by a scenario or generated from the seed), applied before it starts. */
  faults: FaultSchedule;
}

/** A finished simulation and what the run itself noted about it; record.ts turns it into plain data. */
export interface FinishedRun {
  input: RunInput;
  sim: Simulation;
  result: RunResult;
  /** Fatal learner-code problems (module load, missing export, event budget). */
  problems: LearnerProblem[];
  /** Faults a scenario driver injected while the run went on (in order). */
  injected: Fault[];
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return String(e);
  } catch {
    return 'unprintable error';
  }
}

/** Wraps a learner export as a service: a fresh module instance per incarnation. */
export function learnerService(service: string, exportName: string, runtime: LearnerRuntime, problems: LearnerProblem[]): ServiceDefinition {
  return {
    name: service,
    start(kernelCtx: ServiceContext) {
      const ctx = runtime.wrapContext ? runtime.wrapContext(kernelCtx) : kernelCtx;
      let mod: Record<string, unknown>;
      try {
        mod = runtime.factory({
          random: () => kernelCtx.random(),
          now: () => kernelCtx.now(),
          setTimer: (fn, ms) => kernelCtx.setTimer(fn, ms),
          clearTimer: (id) => kernelCtx.clearTimer(id),
          log: (level, args) => {
            const text = args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
            if (level === 'error') kernelCtx.log.error(text);
            else if (level === 'warn') kernelCtx.log.warn(text);
            else kernelCtx.log.info(text);
          },
        });
      } catch (e) {
        problems.push({ kind: 'module-load', service, message: runtime.describeError ? runtime.describeError(e).message : describeError(e), at: kernelCtx.now() });
        throw e;
      }
      const fn = mod[exportName];
      if (typeof fn !== 'function') {
        const msg = `the module does not export a function "${exportName}"`;
        problems.push({ kind: 'missing-export', service, message: msg, at: kernelCtx.now() });
        throw new Error(msg);
      }
      return (fn as (c: ServiceContext) => void | Promise<void>)(ctx);
    },
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function safeRows(sim: Simulation, service: string, table: string): Row[] {
  try {
    return sim.rows(service, table) as Row[];
  } catch {
    return [];
  }
}

/** Executes one run to quiescence (or a limit). Execution only: nothing here judges. */
export async function runOnce(input: RunInput): Promise<FinishedRun> {
  const { exercise, setup } = input;
  const problems: LearnerProblem[] = [];
  const sim = new Simulation({
    seed: input.seed,
    trace: true,
    maxEvents: setup.sim?.maxEvents ?? exercise.sim.maxEvents,
    maxTime: setup.sim?.maxTime ?? exercise.sim.maxTime,
    ...(input.runtime.describeError ? { describeError: input.runtime.describeError } : {}),
    ...(setup.sim?.network ? { network: setup.sim.network } : {}),
  });
  for (const svc of setup.services) sim.addService(svc);
  for (const ls of exercise.learnerServices) sim.addService(learnerService(ls.service, ls.exportName, input.runtime, problems));
  if (input.faults.length > 0) sim.applySchedule([...input.faults]);

  const injected: Fault[] = [];
  if (setup.drive) {
    const harness: ScenarioHarness = {
      now: () => sim.now,
      rows: (service, table) => safeRows(sim, service, table),
      async runUntil(predicate, limitMs = 10_000, stepMs = 2) {
        const end = sim.now + limitMs;
        while (sim.now < end) {
          if (predicate()) return true;
          const r = await sim.runUntil(Math.min(end, sim.now + stepMs));
          if (r.reason === 'event-budget') return false;
          if (r.reason === 'quiescent') break;
        }
        return predicate();
      },
      async advance(ms) {
        await sim.runUntil(sim.now + ms);
      },
      crash: (s) => {
        injected.push({ at: sim.now, kind: 'crash', service: s });
        sim.crash(s);
      },
      restart: (s) => {
        injected.push({ at: sim.now, kind: 'restart', service: s });
        sim.restart(s);
      },
      partition: (groups) => {
        injected.push({ at: sim.now, kind: 'partition', groups });
        sim.partition(groups);
      },
      heal: () => {
        injected.push({ at: sim.now, kind: 'heal' });
        sim.heal();
      },
      note: (f) => injected.push(f),
    };
    await setup.drive(harness);
  }
  const result = await sim.runUntilQuiescent();
  if (result.reason === 'event-budget') {
    problems.push({ kind: 'event-budget', message: `the run exceeded the event budget (${result.events} events)`, at: result.now });
  }
  return { input, sim, result, problems, injected };
}

/**
 * One simulation run of an exercise — the *execute* half of grading: exercise-
 * provided services + the learner's services (fresh module instance per
 * incarnation), a fault schedule, optional driver, then run to quiescence.
 * Realm-agnostic: learner code comes in through a ModuleFactory. It runs in the
 * learner's realm (the sandbox worker); record.ts copies the result out as
 * plain data and the judge (judge.ts, outcome.ts) evaluates it elsewhere.
 */
import { Simulation, type SimulationOptions, type RunResult } from '../sim/simulation.ts';
import { DEFAULT_CALL_TIMEOUT_MS, type Row, type ServiceContext, type ServiceDefinition } from '../sim/types.ts';
import type {
  ExerciseDefinition,
  Fault,
  FaultSchedule,
  LearnerProblem,
  LearnerRuntime,
  ScenarioHarness,
  ScenarioSetup,
} from './types.ts';

/** Name of the node a scenario driver's calls and publishes come from (`ScenarioHarness.call`). */
export const HARNESS_SERVICE = 'harness';

export interface RunInput {
  exercise: ExerciseDefinition;
  runtime: LearnerRuntime;
  scenario: string;
  seed: number;
  random: boolean;
  setup: ScenarioSetup;
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
  /** Crash points that fired: [index in `[...input.faults, ...injected]`, virtual time]. */
  fired: Array<[number, number]>;
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

/** Kernel options of one run: the scenario's `sim` over the exercise's defaults (broker topics merged topic by topic). */
function simOptions(input: RunInput): SimulationOptions {
  const base = input.exercise.sim;
  const over = input.setup.sim ?? {};
  const network = over.network ?? base.network;
  const topics = base.brokerTopics || over.brokerTopics ? { ...base.brokerTopics, ...over.brokerTopics } : undefined;
  const traceChanges = over.traceChanges ?? base.traceChanges;
  return {
    seed: input.seed,
    trace: true,
    maxEvents: over.maxEvents ?? base.maxEvents,
    maxTime: over.maxTime ?? base.maxTime,
    ...(input.runtime.describeError ? { describeError: input.runtime.describeError } : {}),
    ...(network ? { network } : {}),
    ...(topics ? { brokerTopics: topics } : {}),
    ...(traceChanges ? { traceChanges } : {}),
  };
}

/** Executes one run to quiescence (or a limit). Execution only: nothing here judges. */
export async function runOnce(input: RunInput): Promise<FinishedRun> {
  const { exercise, setup } = input;
  const problems: LearnerProblem[] = [];
  const sim = new Simulation(simOptions(input));
  for (const svc of setup.services) sim.addService(svc);
  for (const ls of exercise.learnerServices) sim.addService(learnerService(ls.service, ls.exportName, input.runtime, problems));
  for (const [service, tables] of Object.entries(setup.initialRows ?? {})) {
    for (const [table, t] of Object.entries(tables)) sim.preload(service, table, t.rows, t.spec);
  }
  const planned: FaultSchedule = [...input.faults];
  if (planned.length > 0) sim.applySchedule(planned);
  const faults: Fault[] = []; // injected by the driver

  if (setup.drive) {
    let driverCtx: ServiceContext | null = null;
    /** Runs the simulation until `p` settles; a run that ends first (event budget, time limit) is an error, never a hang. */
    const settle = async <T>(p: Promise<T>, what: string): Promise<T> => {
      let settled = false;
      p.then(() => (settled = true), () => (settled = true));
      const r = await sim.runUntilCondition(() => settled);
      if (!settled) throw new Error(`harness ${what}: the run stopped (${r.reason}) before it completed`);
      return p;
    };
    const driver = async (): Promise<ServiceContext> => {
      if (driverCtx === null) {
        if (sim.services.includes(HARNESS_SERVICE)) throw new Error(`harness: a service of the exercise is named "${HARNESS_SERVICE}"; the driver's node needs that name`);
        sim.addService({ name: HARNESS_SERVICE, start: (ctx) => void (driverCtx = ctx) });
        await sim.runUntilCondition(() => driverCtx !== null);
        if (driverCtx === null) throw new Error('harness: the driver node could not start (the run has stopped)');
      }
      return driverCtx;
    };
    const harness: ScenarioHarness = {
      now: () => sim.now,
      rows: (service, table) => safeRows(sim, service, table),
      brokerBacklog: (topic, group) => sim.unacked(topic, group),
      async call(to, method, payload = null, timeoutMs = DEFAULT_CALL_TIMEOUT_MS) {
        const ctx = await driver();
        return settle(ctx.call(to, method, payload, { timeoutMs }), `call(${to}, ${method})`);
      },
      async publish(topic, payload, key) {
        const ctx = await driver();
        return settle(ctx.publish(topic, payload, key === undefined ? {} : { key }), `publish(${topic})`);
      },
      redeploy: (service, code) => {
        const def = typeof code === 'string' ? learnerService(service, code, input.runtime, problems) : code;
        sim.redeploy(service, def.start, typeof code === 'string' ? code : def.name);
      },
      inject: (f) => {
        const at = { ...f, at: sim.now } as typeof f;
        faults.push(at);
        sim.inject(at);
      },
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
        faults.push({ at: sim.now, kind: 'crash', service: s });
        sim.crash(s);
      },
      restart: (s) => {
        faults.push({ at: sim.now, kind: 'restart', service: s });
        sim.restart(s);
      },
      partition: (groups) => {
        faults.push({ at: sim.now, kind: 'partition', groups });
        sim.partition(groups);
      },
      heal: () => {
        faults.push({ at: sim.now, kind: 'heal' });
        sim.heal();
      },
      note: (f) => faults.push(f),
    };
    await setup.drive(harness);
  }
  const r = await sim.runUntilQuiescent();
  if (r.reason === 'event-budget') {
    problems.push({ kind: 'event-budget', message: `the run exceeded the event budget (${r.events} events)`, at: r.now });
  }
  // Crash points carry the time they fired: the judge adds it to the faults it reports.
  const all = [...planned, ...faults];
  const fired: Array<[number, number]> = [];
  for (const p of sim.crashPoints()) {
    const i = all.indexOf(p.fault);
    if (p.firedAt >= 0 && i >= 0) fired.push([i, p.firedAt]);
  }
  return { input, sim, result: r, problems, injected: faults, fired };
}

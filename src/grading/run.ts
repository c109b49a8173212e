/**
 * One simulation run of an exercise: exercise-provided services + the learner's
 * services (fresh module instance per incarnation), a fault schedule, optional
 * driver, then run to quiescence. Realm-agnostic: learner code comes in through
 * a ModuleFactory.
 */
import { Simulation, type SimulationOptions } from '../sim/index.ts';
import { quietTime } from '../sim/nemesis.ts';
import { DEFAULT_CALL_TIMEOUT_MS, type Row, type ServiceContext, type ServiceDefinition } from '../sim/types.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type {
  BrokerState,
  ExerciseDefinition,
  FaultSchedule,
  LearnerProblem,
  LearnerRuntime,
  RunOutcome,
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

export interface RunHandle extends RunOutcome {
  /** sha256 of the run's trace (the kernel's digest). */
  digest(): string;
  /** Fast 64-bit fingerprint of the run's trace (`Trace.fingerprint()`), for the grade's digest. */
  fingerprint(): string;
  sim: Simulation;
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

/** "Name: message", without doubling a name the message already starts with. */
function errorText(err: { name?: string; message?: string }): string {
  const name = err.name ?? 'Error';
  const message = err.message ?? '';
  return message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
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

/** Final-state readers of a run, for checks (the rows, tables, broker and change log as the run left them). */
function finalState(sim: Simulation): Pick<RunOutcome, 'rows' | 'tables' | 'brokerBacklog' | 'broker' | 'changes'> {
  const known = (service: string) => sim.services.includes(service);
  return {
    rows: (service, table) => safeRows(sim, service, table),
    tables: (service) => (known(service) ? sim.tables(service) : []),
    brokerBacklog: (topic, group) => sim.unacked(topic, group),
    broker: () => {
      const out: BrokerState = {};
      for (const topic of sim.topics()) {
        const groups: BrokerState[string]['groups'] = {};
        for (const g of sim.groups(topic)) groups[g] = sim.groupStats(topic, g)!;
        out[topic] = { published: sim.published(topic), groups };
      }
      return out;
    },
    changes: (service) => (known(service) ? sim.changes(service) : []),
  };
}

/** Reported faults: crash points carry the time they fired. */
function realized(sim: Simulation, faults: FaultSchedule): FaultSchedule {
  const fired = new Map(sim.crashPoints().filter((p) => p.firedAt >= 0).map((p) => [p.fault, p.firedAt]));
  if (fired.size === 0) return faults;
  return faults.map((f) => (f.kind === 'crash-after' && fired.has(f) ? { ...f, firedAt: fired.get(f)! } : f));
}

export async function runOnce(input: RunInput): Promise<RunHandle> {
  const { exercise, setup } = input;
  const problems: LearnerProblem[] = [];
  const sim = new Simulation(simOptions(input));
  for (const svc of setup.services) sim.addService(svc);
  for (const ls of exercise.learnerServices) sim.addService(learnerService(ls.service, ls.exportName, input.runtime, problems));
  for (const [service, tables] of Object.entries(setup.initialRows ?? {})) {
    for (const [table, t] of Object.entries(tables)) sim.preload(service, table, t.rows, t.spec);
  }
  const faults: FaultSchedule = [...input.faults];
  if (faults.length > 0) sim.applySchedule(faults);

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

  const trace = sim.trace;
  const learnerNames = new Set(exercise.learnerServices.map((s) => s.service));
  const traceOf = (...kinds: string[]): TraceEvent[] => {
    const want = new Set(kinds);
    const out: TraceEvent[] = [];
    for (let i = 0; i < trace.length; i++) if (want.has(trace.kindOf(i))) out.push(trace.get(i));
    return out;
  };
  let errors: LearnerProblem[] | undefined;
  /** Errors thrown by learner code (handlers, start, replies that carried an exception): computed on demand. */
  const learnerErrors = (): LearnerProblem[] => {
    if (errors) return errors;
    errors = [];
    for (let i = 0; i < trace.length && errors.length < 20; i++) {
      const kind = trace.kindOf(i);
      if (kind !== 'handler-error' && kind !== 'start-error' && kind !== 'send') continue;
      const e = trace.get(i);
      if (!e.service || !learnerNames.has(e.service)) continue;
      if (kind === 'send') {
        const d = e.data as { kind?: string; type?: string; payload?: { ok?: boolean; error?: { name?: string; message?: string } } } | undefined;
        if (d?.kind !== 'response' || d.payload?.ok !== false || !d.payload.error) continue;
        errors.push({ kind: 'handler-error', service: e.service, message: `request "${d.type}": ${errorText(d.payload.error)}`, at: e.t });
        continue;
      }
      const d = e.data as { where?: string; error?: { name?: string; message?: string } } | undefined;
      const already = problems.some((p) => p.service === e.service && p.at === e.t && (p.kind === 'module-load' || p.kind === 'missing-export'));
      if (already) continue;
      errors.push({
        kind: kind === 'start-error' ? 'start-error' : 'handler-error',
        service: e.service,
        message: d?.error ? `${d.where ? d.where + ': ' : ''}${errorText(d.error)}` : 'error',
        at: e.t,
      });
    }
    return errors;
  };
  if (r.reason === 'event-budget') {
    problems.push({ kind: 'event-budget', message: `the run exceeded the event budget (${r.events} events)`, at: r.now });
  }
  const allFaults = realized(sim, faults).slice().sort((a, b) => a.at - b.at);
  return {
    scenario: input.scenario,
    seed: input.seed,
    random: input.random,
    faults: allFaults,
    quietAt: quietTime(allFaults),
    reason: r.reason,
    now: r.now,
    events: r.events,
    data: setup.data,
    ...finalState(sim),
    trace: () => trace.events(),
    traceOf,
    problems,
    learnerErrors,
    digest: () => trace.digest(),
    fingerprint: () => trace.fingerprint(),
    sim,
  };
}

import { Simulation, type SimulationOptions, type TraceEvent, type ServiceDefinition } from '../../src/sim/index.ts';

export function sim(opts: Partial<SimulationOptions> = {}, ...services: ServiceDefinition[]): Simulation {
  const s = new Simulation({ seed: 1, ...opts });
  for (const d of services) s.addService(d);
  return s;
}

export function kinds(events: TraceEvent[], kind: string): TraceEvent[] {
  return events.filter((e) => e.kind === kind);
}

export function logs(s: Simulation, service?: string): string[] {
  return s.trace.events().filter((e) => e.kind === 'log' && (!service || e.service === service)).map((e) => (e.data as { message: string }).message);
}

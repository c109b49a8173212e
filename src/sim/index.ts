/** The deterministic simulation kernel: public surface. */
export { Simulation, BROKER, describeThrown } from './simulation.ts';
export type { SimulationOptions, RunResult, StopReason, ErrorInfo, ConditionResult } from './simulation.ts';
export { generateSchedule, quietTime, describeFault, checkCrashPoint } from './nemesis.ts';
export type { Fault, FaultKind, FaultSchedule, ScheduleOptions, CrashAfterFault, CrashPointKind } from './nemesis.ts';
export { Trace, TRACE_KINDS, digestJson } from './trace.ts';
export type { TraceEvent, TraceKind } from './trace.ts';
export { SimError } from './errors.ts';
export type { SimErrorName } from './errors.ts';
export type { NetworkConfig, LinkConfig, LatencyDistribution } from './network.ts';
export type { TopicConfig, GroupStats } from './broker.ts';
export { replayChanges } from './changelog.ts';
export type { ChangeRecord } from './changelog.ts';
export { Prng, hashString } from './prng.ts';
export { canonicalJson } from './json.ts';
export { FastHash } from './fast-hash.ts';
export * from './types.ts';

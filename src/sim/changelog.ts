import type { Change, Row } from './types.ts';

/**
 * The change log of a service's database: one record per row a commit
 * inserted, updated or deleted, in commit order. Service code reads its own log
 * through `Database.changes` (outbox relays, CDC); checks and the UI read the
 * whole history through `Simulation.changes`, whose records also carry the id
 * of the commit's trace event, so "the tables as they were at event N" is a
 * replay of the records with `traceId <= N`. The rows in records are the
 * store's frozen rows, shared: never hand them to service code.
 */
export interface ChangeRecord extends Change {
  /** Id of the commit's trace event (`tx-commit`), -1 when tracing is off. */
  readonly traceId: number;
}

/**
 * Rebuilds tables from a change log: table → primary key (as a string) → row,
 * in the store's own row order. `upToTraceId` stops after the commits recorded
 * at or before that trace event (time travel).
 */
export function replayChanges(log: readonly ChangeRecord[], upToTraceId = Infinity): Map<string, Map<string, Row>> {
  const tables = new Map<string, Map<string, Row>>();
  for (const c of log) {
    if (c.traceId > upToTraceId) break;
    let t = tables.get(c.table);
    if (!t) tables.set(c.table, (t = new Map()));
    if (c.after === null) t.delete(String(c.key));
    else t.set(String(c.key), c.after);
  }
  return tables;
}

import type { Row } from './types.ts';

/**
 * The change log of a service's database: one record per row a commit
 * inserted, updated or deleted, in commit order. Service code reads its own log
 * through `Database.changes` (outbox relays, CDC); checks and the UI read the
 * whole history through `Simulation.changes`, whose records also carry the id
 * of the commit's trace event, so "the tables as they were at event N" is a
 * replay of the records with `traceId <= N`.
 */
export interface ChangeRecord {
  /** Log sequence number: 1, 2, 3, … per database, without gaps. */
  readonly lsn: number;
  /** Commit number in this database (1, 2, …); 0 for a scenario's initial rows. */
  readonly txId: number;
  readonly table: string;
  readonly op: 'insert' | 'update' | 'delete';
  /** Primary-key value of the row. */
  readonly key: string | number;
  /** The committed row before the change (null for an insert); frozen and shared. */
  readonly before: Row | null;
  /** The committed row after the change (null for a delete); frozen and shared. */
  readonly after: Row | null;
  /** Virtual time of the commit. */
  readonly at: number;
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

/**
 * Exercise-provided parts of "cap-replicated-stock": the stock each replica
 * starts with (its home products, as initial rows of the prescribed `stock`
 * table) and the two shops, one per data centre, each calling only its local
 * replica. The shops are the generic scripted client
 * (src/grading/scripted-client.ts): every call and attempt is recorded in
 * their `results` tables for the checks.
 */
import type { Row, TableSpec } from '../../src/sim/types.ts';
import { scriptedClient, type ScriptedStep } from '../../src/grading/scripted-client.ts';
import type { ServiceDefinition } from '../../src/sim/types.ts';

export const REPLICAS = ['stock-eu', 'stock-us'] as const;
export type Replica = (typeof REPLICAS)[number];

/** The shop of each data centre and the replica it calls. */
export const SHOPS: Record<Replica, string> = { 'stock-eu': 'shop-eu', 'stock-us': 'shop-us' };

/** The prescribed stock table: key productId, read committed (no write-conflict detection). */
export const STOCK_SPEC: TableSpec = { key: 'productId' };

/** Units of each product, by home replica. */
export type Stock = Record<Replica, Record<string, number>>;

export function stockRows(stock: Stock): Record<string, Record<string, { spec: TableSpec; rows: Row[] }>> {
  return Object.fromEntries(
    REPLICAS.map((r) => [r, { stock: { spec: STOCK_SPEC, rows: Object.entries(stock[r]).map(([productId, available]) => ({ productId, available })) } }]),
  );
}

/** The two shops with their scripts. */
export function shops(scripts: Record<Replica, ScriptedStep[]>): ServiceDefinition[] {
  return REPLICAS.map((r) => scriptedClient(SHOPS[r], scripts[r]));
}

/**
 * Exercise-provided services of the choreographed order saga: shipping (the
 * last step, which also decides the pivot: a parcel is either shipped or
 * refused) and the client that places orders. They use only the public
 * ServiceContext API, exactly like the learner's order, payment and inventory.
 *
 * Shipping is written the way the statement asks the learner to write theirs:
 * it de-duplicates by order in the same transaction as its effect and keeps
 * the events it owes in an outbox table that a relay publishes (at least once).
 */
import type { Row, ServiceContext, ServiceDefinition } from '../../src/sim/types.ts';
import type { OrderRequest } from './types.ts';

export type { OrderRequest } from './types.ts';

/** Addresses containing this word are refused by the carrier (`ShipmentFailed`, reason `UNDELIVERABLE`). */
export const UNDELIVERABLE = 'Atlantis';
/** Tracking numbers are `ABC123`, `ABC124`, … in the order shipments are created (the course: «Tracking #ABC123»). */
export const TRACKING_PREFIX = 'ABC';
export const FIRST_TRACKING = 123;
/** Client: timeout of one placeOrder call, pause between attempts, attempts before giving up. */
export const PLACE_TIMEOUT_MS = 300;
export const PLACE_PAUSE_MS = 100;
export const PLACE_ATTEMPTS = 40;
/** Shipping's relay retries a failed publish after this long. */
const RELAY_RETRY_MS = 50;

export interface Submission {
  /** Virtual ms after the client starts. */
  at: number;
  request: OrderRequest;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Publishes the rows of `outbox` and deletes each once the broker has it; retries while any is left. */
function outboxRelay(ctx: ServiceContext): () => void {
  let busy = false;
  let timer: number | null = null;
  const run = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (const row of ctx.db.scan('outbox')) {
        await ctx.publish(row.topic as string, row.event, { key: String((row.event as Row).orderId) });
        await ctx.db.delete('outbox', row.id as string);
      }
    } catch {
      // broker unreachable or disk failing: the rows stay, the timer below retries
    } finally {
      busy = false;
    }
    if (timer === null && ctx.db.scan('outbox').length > 0) {
      timer = ctx.setTimer(() => {
        timer = null;
        kick();
      }, RELAY_RETRY_MS);
    }
  };
  const kick = () => void run().catch(() => undefined);
  return kick;
}

/**
 * Shipping: consumes `ItemsReserved {orderId, productId, quantity, address}`;
 * creates a shipment with the next tracking number and publishes
 * `ShipmentCreated {trackingNumber}`, or, for an address it cannot serve (or
 * none), records a refused shipment and publishes `ShipmentFailed {reason}`.
 * Its events copy the incoming event's correlationId and name its eventId as
 * their causationId.
 */
export function shippingService(): ServiceDefinition {
  return {
    name: 'shipping',
    start(ctx) {
      ctx.db.createTable('shipments');
      ctx.db.createTable('outbox');
      ctx.db.createTable('counters', { conflicts: 'first-committer-wins' });
      const kick = outboxRelay(ctx);
      ctx.subscribe('ItemsReserved', async (payload: unknown) => {
        const e = (payload !== null && typeof payload === 'object' ? payload : {}) as Row;
        const orderId = text(e.orderId);
        if (orderId === null) {
          ctx.log.warn('ItemsReserved without an orderId: ignored');
          return;
        }
        await ctx.db.transaction((tx) => {
          if (tx.get('shipments', orderId)) return; // a duplicate: this order is decided
          const address = text(e.address);
          const envelope = { correlationId: text(e.correlationId) ?? orderId, causationId: text(e.eventId), orderId };
          if (address === null || address.toLowerCase().includes(UNDELIVERABLE.toLowerCase())) {
            const reason = address === null ? 'NO_ADDRESS' : 'UNDELIVERABLE';
            const eventId = `shipping/${orderId}/ShipmentFailed`;
            tx.insert('shipments', { id: orderId, status: 'FAILED', reason, address, at: ctx.now() });
            tx.insert('outbox', { id: eventId, topic: 'ShipmentFailed', event: { eventId, ...envelope, reason } });
            return;
          }
          const n = (tx.get('counters', 'tracking')?.next as number | undefined) ?? FIRST_TRACKING;
          tx.put('counters', { id: 'tracking', next: n + 1 });
          const trackingNumber = `${TRACKING_PREFIX}${n}`;
          const eventId = `shipping/${orderId}/ShipmentCreated`;
          tx.insert('shipments', { id: orderId, status: 'CREATED', trackingNumber, productId: e.productId ?? null, quantity: e.quantity ?? null, address, at: ctx.now() });
          tx.insert('outbox', { id: eventId, topic: 'ShipmentCreated', event: { eventId, ...envelope, trackingNumber } });
        });
        kick();
      });
      kick(); // after a restart: publish what is still owed
    },
  };
}

/** The customers: each order is placed at its time and retried until the order service accepts it. */
export function clientService(submissions: Submission[]): ServiceDefinition {
  return {
    name: 'client',
    start(ctx) {
      ctx.db.createTable('submissions');
      for (const sub of submissions) {
        void (async () => {
          if (sub.at > 0) await ctx.sleep(sub.at);
          for (let attempt = 1; attempt <= PLACE_ATTEMPTS; attempt++) {
            try {
              const r = await ctx.call('order', 'placeOrder', sub.request, { timeoutMs: PLACE_TIMEOUT_MS });
              if (r !== null && typeof r === 'object' && (r as { accepted?: unknown }).accepted === true) {
                await ctx.db.put('submissions', { id: sub.request.orderId, acceptedAt: ctx.now(), attempts: attempt });
                return;
              }
            } catch {
              // order is down, partitioned, or threw: try again
            }
            await ctx.sleep(PLACE_PAUSE_MS);
          }
          await ctx.db.put('submissions', { id: sub.request.orderId, acceptedAt: null, attempts: PLACE_ATTEMPTS });
        })().catch(() => undefined);
      }
    },
  };
}

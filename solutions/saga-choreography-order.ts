// Reference solution: choreographed order saga (course chapter 3).
// Order → Payment → Inventory → Shipping, each step triggered by the previous step's event.
// Compensations run backwards through events: ShipmentFailed → ItemsReleased → PaymentRefunded → CANCELLED.
import type { CardRow, OrderCreated, OrderRequest, PaymentRow, ServiceContext, StockRow, Transaction } from '@mdl/saga-choreography-order';

const RELAY_RETRY_MS = 50;

type Event = { eventId: string; correlationId: string; causationId: string | null; orderId: string; [field: string]: any };

/**
 * Transactional outbox + idempotent consumer, the same in every service:
 * an event is handled once per order (the `inbox` mark is written in the same
 * transaction as the effect), and the events it causes are rows of `outbox`
 * written in that transaction too; a relay publishes them, at least once.
 */
function eventing(ctx: ServiceContext) {
  ctx.db.createTable('inbox');
  ctx.db.createTable('outbox');
  let busy = false;
  let timer: number | null = null;

  async function relay(): Promise<void> {
    if (busy) return;
    busy = true;
    const sent: string[] = [];
    try {
      for (const row of ctx.db.scan('outbox')) {
        await ctx.publish(row.topic, row.event, { key: row.event.orderId });
        sent.push(row.id);
      }
    } catch {
      // broker unreachable: what was not published stays and is retried below
    }
    try {
      // One commit for the whole batch; a crash before it only means the batch is published again.
      if (sent.length > 0) await ctx.db.transaction((tx) => sent.forEach((id) => tx.delete('outbox', id)));
    } catch {
      // disk failing: the rows stay and are published again (consumers de-duplicate)
    } finally {
      busy = false;
    }
    if (timer === null && ctx.db.scan('outbox').length > 0) {
      timer = ctx.setTimer(() => {
        timer = null;
        kick();
      }, RELAY_RETRY_MS);
    }
  }
  const kick = () => void relay().catch(() => undefined);

  /** Queues an event in `tx`; `cause` is the event that led to it (null: the order's first event). */
  function emit(tx: Transaction, topic: string, cause: Event | null, orderId: string, fields: Record<string, unknown>): void {
    const eventId = `${topic}:${orderId}`;
    tx.insert('outbox', { id: eventId, topic, event: { ...fields, eventId, correlationId: orderId, causationId: cause ? cause.eventId : null, orderId } });
  }

  /** Handles `topic` once per order; a throw (write conflict, failing disk) leaves the event unacknowledged, so it comes back. */
  function on(topic: string, effect: (tx: Transaction, e: Event) => void): void {
    ctx.subscribe(topic, async (e: Event) => {
      await ctx.db.transaction((tx) => {
        const mark = `${topic}:${e.orderId}`;
        if (tx.get('inbox', mark)) return; // a duplicate or a redelivery: already done
        tx.insert('inbox', { id: mark, at: ctx.now() });
        effect(tx, e);
      });
      kick();
    });
  }

  kick(); // after a restart: publish whatever is still owed
  return { emit, on, kick };
}


export function order(ctx: ServiceContext): void {
  // Events of one order arrive on different topics and may be handled at the same time:
  // first-committer-wins turns a lost update of the order row into a WriteConflict (then a redelivery).
  ctx.db.createTable('orders', { conflicts: 'first-committer-wins' });
  const ev = eventing(ctx);

  /** Order listens only to outcomes; SHIPPED and CANCELLED are final, so a late or repeated event changes nothing. */
  function finish(tx: Transaction, orderId: string, status: 'SHIPPED' | 'CANCELLED', patch: Record<string, unknown>): void {
    const o = tx.get('orders', orderId);
    if (!o || o.status !== 'PENDING') return;
    tx.update('orders', orderId, { ...patch, status, updatedAt: ctx.now() });
  }

  ctx.handle('placeOrder', async (req: OrderRequest) => {
    await ctx.db.transaction((tx) => {
      if (tx.get('orders', req.orderId)) return; // the client retried: already accepted
      const { orderId, productId, quantity, amount, card, address } = req;
      tx.insert('orders', { id: orderId, status: 'PENDING', productId, quantity, amount, card, address, trackingNumber: null, reason: null, updatedAt: ctx.now() });
      ev.emit(tx, 'OrderCreated', null, orderId, { productId, quantity, amount, card, address });
    });
    ev.kick();
    return { accepted: true };
  });

  ev.on('ShipmentCreated', (tx, e) => finish(tx, e.orderId, 'SHIPPED', { trackingNumber: e.trackingNumber }));
  // Cancelled only when nothing is left to undo: a declined card charged nothing; otherwise the refund is done.
  ev.on('PaymentFailed', (tx, e) => finish(tx, e.orderId, 'CANCELLED', { reason: e.reason }));
  ev.on('PaymentRefunded', (tx, e) => finish(tx, e.orderId, 'CANCELLED', { reason: e.reason }));
}

export function payment(ctx: ServiceContext): void {
  ctx.db.createTable('payments');
  const ev = eventing(ctx);

  ev.on('OrderCreated', (tx, e) => {
    const o = e as OrderCreated;
    const card = tx.get<CardRow>('cards', o.card);
    if (!card || card.balance < o.amount) {
      // Declined: no money moved, so there is nothing to refund later («No action needed»).
      ev.emit(tx, 'PaymentFailed', e, o.orderId, { reason: card ? 'INSUFFICIENT_FUNDS' : 'UNKNOWN_CARD' });
      return;
    }
    tx.update('cards', card.id, { balance: card.balance - o.amount });
    tx.insert('payments', { id: `${o.orderId}:charge`, orderId: o.orderId, type: 'CHARGE', amount: o.amount, card: card.id, at: ctx.now() });
    ev.emit(tx, 'PaymentSucceeded', e, o.orderId, { productId: o.productId, quantity: o.quantity, amount: o.amount, address: o.address });
  });

  /** Semantic compensation: the refund is a new ledger row; the charge stays as it was. */
  function refund(tx: Transaction, e: Event): void {
    const charge = tx.get<PaymentRow>('payments', `${e.orderId}:charge`);
    if (charge && !tx.get('payments', `${e.orderId}:refund`)) {
      const card = tx.get<CardRow>('cards', charge.card as string)!;
      tx.update('cards', card.id, { balance: card.balance + charge.amount });
      tx.insert('payments', { id: `${e.orderId}:refund`, orderId: e.orderId, type: 'REFUND', amount: charge.amount, card: card.id, at: ctx.now() });
    }
    ev.emit(tx, 'PaymentRefunded', e, e.orderId, { reason: e.reason ?? null, amount: charge ? charge.amount : 0 });
  }
  ev.on('ItemsUnavailable', refund);
  ev.on('ItemsReleased', refund);
}

export function inventory(ctx: ServiceContext): void {
  ctx.db.createTable('reservations');
  const ev = eventing(ctx);

  ev.on('PaymentSucceeded', (tx, e) => {
    const item = tx.get<StockRow>('stock', e.productId);
    if (!item || item.available < e.quantity) {
      ev.emit(tx, 'ItemsUnavailable', e, e.orderId, { reason: 'OUT_OF_STOCK' });
      return;
    }
    tx.update('stock', item.id, { available: item.available - e.quantity });
    tx.insert('reservations', { id: e.orderId, productId: item.id, quantity: e.quantity, status: 'RESERVED', at: ctx.now() });
    ev.emit(tx, 'ItemsReserved', e, e.orderId, { productId: item.id, quantity: e.quantity, address: e.address });
  });

  // Shipping refused the parcel: the units go back to stock, then payment refunds.
  ev.on('ShipmentFailed', (tx, e) => {
    const r = tx.get('reservations', e.orderId);
    if (r && r.status === 'RESERVED') {
      const item = tx.get<StockRow>('stock', r.productId)!;
      tx.update('stock', item.id, { available: item.available + r.quantity });
      tx.update('reservations', e.orderId, { status: 'RELEASED', releasedAt: ctx.now() });
    }
    ev.emit(tx, 'ItemsReleased', e, e.orderId, { reason: e.reason });
  });
}

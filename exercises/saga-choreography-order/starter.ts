// Choreographed saga: Order → Payment → Inventory → Shipping, coordinated only by broker events.
// Read the statement first. Run it and look at the trace: order #12345 is placed and published,
// but nobody pays, reserves or ships yet. Start with payment, then inventory, then the compensations.
import type { OrderCreated, OrderRequest, PaymentSucceeded, ServiceContext, ShipmentCreated } from '@mdl/saga-choreography-order';

export function order(ctx: ServiceContext): void {
  ctx.db.createTable('orders');

  ctx.handle('placeOrder', async (req: OrderRequest) => {
    if (!ctx.db.get('orders', req.orderId)) {
      await ctx.db.insert('orders', { id: req.orderId, status: 'PENDING', ...req, trackingNumber: null });
      // TODO a crash right here loses the event for good: write it in the same transaction as the
      //      order (an outbox table) and let a relay publish it — also after a restart.
      const event: OrderCreated = { eventId: `OrderCreated:${req.orderId}`, correlationId: req.orderId, causationId: null, ...req };
      await ctx.publish('OrderCreated', event, { key: req.orderId });
    }
    return { accepted: true };
  });

  ctx.subscribe('ShipmentCreated', async (e: ShipmentCreated) => {
    // TODO a duplicate or a late event must not change a final status.
    await ctx.db.update('orders', e.orderId, { status: 'SHIPPED', trackingNumber: e.trackingNumber });
  });

  // TODO PaymentFailed ⇒ CANCELLED (nothing to undo). After a refund (your own event) ⇒ CANCELLED.
}

export function payment(ctx: ServiceContext): void {
  ctx.db.createTable('payments'); // the ledger: CHARGE and REFUND rows, never updated or deleted

  ctx.subscribe('OrderCreated', async (e: OrderCreated) => {
    const card = ctx.db.get('cards', e.card);
    ctx.log.info(`TODO charge ${e.amount} to ${e.card} (balance ${card?.balance}) for order ${e.orderId}`);
    // TODO in ONE transaction: "handled" mark, balance − amount, a CHARGE row, the PaymentSucceeded event
    //      (with eventId, correlationId = orderId, causationId = e.eventId); PaymentFailed if declined.
  });

  // TODO refund (a new REFUND row) when a later step fails, then tell order.
}

export function inventory(ctx: ServiceContext): void {
  ctx.subscribe('PaymentSucceeded', async (e: PaymentSucceeded) => {
    ctx.log.info(`TODO reserve for order ${e.orderId}`);
    // TODO take the units from stock.available and publish ItemsReserved { productId, quantity, address },
    //      or ItemsUnavailable { reason } when the stock is short.
  });

  // TODO ShipmentFailed ⇒ put the units back, then let payment refund.
}

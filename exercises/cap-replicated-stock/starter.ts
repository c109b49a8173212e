// CAP in practice: this one export runs twice, as stock-eu and stock-us (two data centres).
// Read the statement first, press Run and look at the trace, then work through the TODOs.
import type { AddToCartReply, AddToCartRequest, GetCartReply, GetCartRequest, ReserveReply, ReserveRequest, ServiceContext, StockRow } from '@mdl/cap-replicated-stock';

export function replica(ctx: ServiceContext): void {
  const peer = ctx.service === 'stock-eu' ? 'stock-us' : 'stock-eu';
  ctx.db.createTable('stock', { key: 'productId' }); // already there, with the products this replica is home of
  ctx.db.createTable('cart_lines', { key: 'lineId' });

  // ---------------------------------------------------------------- stock: must never be oversold (CP)
  ctx.handle('reserve', async (req: ReserveRequest): Promise<ReserveReply> => {
    const s = ctx.db.get<StockRow>('stock', req.productId);
    // TODO 1: validate the request (INVALID).
    // TODO 2: a product without a row here lives on the peer: ask it (a separate method, with a timeout under 300 ms)
    //         and answer UNAVAILABLE when it does not answer — never decide alone.
    // TODO 3: concurrent reservations read the same stock (read committed): guard the update (expect) and retry on WriteConflict.
    // TODO 4: remember reservationIds, so that a repeated request takes nothing more.
    if (!s || s.available < req.quantity) return { ok: false, error: 'OUT_OF_STOCK' };
    await ctx.db.update('stock', req.productId, { available: s.available - req.quantity });
    return { ok: true };
  });

  // ---------------------------------------------------------------- carts: always available, converge later (AP)
  ctx.handle('addToCart', async (req: AddToCartRequest): Promise<AddToCartReply> => {
    await ctx.db.put('cart_lines', { lineId: req.lineId, cartId: req.cartId, productId: req.productId, quantity: req.quantity });
    // TODO 5: send the new line to the peer — and keep sending (durably remembered) until it confirms.
    return { ok: true };
  });

  ctx.handle('getCart', (req: GetCartRequest): GetCartReply => ({
    ok: true,
    lines: ctx.db.scan('cart_lines', { cartId: req.cartId }).map((l) => ({ lineId: l.lineId, productId: l.productId, quantity: l.quantity })),
  }));

  // TODO 6: a handler that merges the peer's lines into yours (a union by lineId).
  void peer;
}

// Database per Service: split the shop's monolith database by bounded context.
// Read the statement first, press Run and look at the trace, then work through the TODOs.
import type {
  CreateOrderReply,
  CreateOrderRequest,
  GetOrderDetailsReply,
  GetOrderDetailsRequest,
  GetProductReply,
  GetProductRequest,
  Product,
  ServiceContext,
  SetPriceReply,
  SetPriceRequest,
} from '@mdl/db-per-service-decomposition';

// ---------------------------------------------------------------- catalog: products and their stock

export function catalog(ctx: ServiceContext): void {
  ctx.db.createTable('products', { key: 'productId' });

  // TODO 1: at start, copy the monolith's products into your own table:
  //   ctx.call('legacy', 'exportRows', { table: 'products', afterId, limit }) page by page, until nextAfterId is null.
  //   The monolith goes away after the cut-over: from then on, answer from your own database only.
  // TODO 2: until the copy is complete, answer UNAVAILABLE for what you do not have yet (not NOT_FOUND).

  ctx.handle('getProduct', (req: GetProductRequest): GetProductReply => {
    const p = ctx.db.get<Product>('products', req.productId);
    return p ? { ok: true, product: p } : { ok: false, error: 'NOT_FOUND' };
  });

  ctx.handle('setPrice', async (_req: SetPriceRequest): Promise<SetPriceReply> => {
    // TODO 3: validate the price and update the product.
    return { ok: false, error: 'UNAVAILABLE' };
  });
}

// ---------------------------------------------------------------- orders: orders and their lines

export function orders(ctx: ServiceContext): void {
  ctx.db.createTable('orders', { key: 'orderId' });

  // TODO 4: at start, copy the monolith's orders and order_items (legacy.exportRows) — with the price each line was bought at.

  ctx.handle('createOrder', async (req: CreateOrderRequest): Promise<CreateOrderReply> => {
    // TODO 5: check the request (INVALID), the user (users.getUser) and every product (catalog.getProduct) through their APIs.
    //         "No such user/product" → USER_NOT_FOUND / PRODUCT_NOT_FOUND; no answer → UNAVAILABLE. Write nothing unless all is known.
    // TODO 6: take each price from catalog now and keep it in the order line (a snapshot); total = Σ quantity × price.
    // TODO 7: the same orderId twice must not create a second order.
    await ctx.db.put('orders', { orderId: req.orderId, userId: req.userId, status: 'CREATED', total: 0, items: req.items.map((l) => ({ ...l, price: 0 })) });
    return { ok: true, orderId: req.orderId, total: 0 };
  });

  ctx.handle('getOrderDetails', async (req: GetOrderDetailsRequest): Promise<GetOrderDetailsReply> => {
    const o = ctx.db.get('orders', req.orderId);
    if (!o) return { ok: false, error: 'NOT_FOUND' };
    // TODO 8: compose instead of a JOIN: the user's name from users.getUser and product names from catalog.getProduct,
    //         asked with a short timeout; whatever does not answer in time stays null (answer within 300 ms).
    return {
      ok: true,
      order: {
        orderId: o.orderId,
        userId: o.userId,
        status: o.status,
        total: o.total,
        user: null,
        items: o.items.map((l: { productId: number; quantity: number; price: number }) => ({ ...l, name: null })),
      },
    };
  });
}

// Reference solution: the shop's monolith split by bounded context (course chapter 1).
// catalog owns products (with their stock); orders owns orders and their lines (with the
// price paid). Users are reached only through the users API, products only through catalog's.
import type {
  CreateOrderReply,
  CreateOrderRequest,
  ExportRowsReply,
  GetOrderDetailsReply,
  GetProductReply,
  GetUserReply,
  LegacyOrder,
  LegacyOrderItem,
  LegacyProduct,
  LegacyTable,
  OrderDetails,
  ServiceContext,
  SetPriceReply,
  Transaction,
} from '@mdl/db-per-service-decomposition';

/** One round of parallel lookups fits the 300 ms budget of getOrderDetails. */
const LOOKUP_TIMEOUT_MS = 120;
/** createOrder tries its lookups twice before answering UNAVAILABLE (well inside its 1 s budget). */
const LOOKUP_ROUNDS = 2;
const PAGE = 50;
const RETRY_PAUSE_MS = 50;

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const cents = (x: number) => Math.round(x * 100) / 100;

/** A row of orders' `order_items`: one line of an order, with the price it was bought at. */
type OrderLineRow = { itemId: string; orderId: number; line: number; productId: number; quantity: number; price: number };

/**
 * Copies one table of the monolith, page by page. Each page and the checkpoint
 * (`migration` row of the table) commit in one transaction, so a crash resumes
 * where the last page ended and nothing is copied twice.
 */
async function importTable(ctx: ServiceContext, table: LegacyTable, write: (tx: Transaction, row: any) => void): Promise<void> {
  for (;;) {
    const m = ctx.db.get('migration', table);
    if (m?.done) return;
    try {
      const page = await ctx.call<ExportRowsReply>('legacy', 'exportRows', { table, afterId: m?.afterId ?? 0, limit: PAGE }, { timeoutMs: 200 });
      const last = page.rows.length > 0 ? Number(page.rows[page.rows.length - 1]!.id) : (m?.afterId ?? 0);
      await ctx.db.transaction((tx) => {
        for (const row of page.rows) write(tx, row);
        tx.put('migration', { table, afterId: last, done: page.nextAfterId === null });
      });
    } catch {
      await ctx.sleep(RETRY_PAUSE_MS);
    }
  }
}

const migrated = (ctx: ServiceContext, ...tables: LegacyTable[]) => tables.every((t) => ctx.db.get('migration', t)?.done === true);

// ---------------------------------------------------------------- catalog

export function catalog(ctx: ServiceContext): Promise<void> {
  ctx.db.createTable('products', { key: 'productId' });
  ctx.db.createTable('migration', { key: 'table' });

  ctx.handle('getProduct', (req: { productId?: unknown }): GetProductReply => {
    const p = isInt(req?.productId) ? ctx.db.get('products', req.productId) : undefined;
    if (p) return { ok: true, product: { productId: p.productId, name: p.name, description: p.description, price: p.price, stock: p.stock } };
    // Not copied yet is not the same as not existing.
    return { ok: false, error: migrated(ctx, 'products') ? 'NOT_FOUND' : 'UNAVAILABLE' };
  });

  ctx.handle('setPrice', async (req: { productId?: unknown; price?: unknown }): Promise<SetPriceReply> => {
    const price = req?.price;
    if (!isInt(req?.productId) || typeof price !== 'number' || !(price > 0) || !Number.isFinite(price)) return { ok: false, error: 'INVALID' };
    if (!migrated(ctx, 'products')) return { ok: false, error: 'UNAVAILABLE' };
    if (!ctx.db.get('products', req.productId)) return { ok: false, error: 'NOT_FOUND' };
    await ctx.db.update('products', req.productId, { price: cents(price) });
    return { ok: true };
  });

  // The migration runs in the background; returned, so the simulator watches it (a crash simply ends it).
  return importTable(ctx, 'products', (tx, p: LegacyProduct) =>
    tx.put('products', { productId: p.id, name: p.name, description: p.description, price: p.price, stock: p.stock_quantity }),
  );
}

// ---------------------------------------------------------------- orders

export function orders(ctx: ServiceContext): Promise<void> {
  ctx.db.createTable('orders', { key: 'orderId' });
  ctx.db.createTable('order_items', { key: 'itemId' });
  ctx.db.createTable('migration', { key: 'table' });

  async function ask<T>(to: string, method: string, payload: Record<string, unknown>): Promise<T | null> {
    try {
      return await ctx.call<T>(to, method, payload, { timeoutMs: LOOKUP_TIMEOUT_MS });
    } catch {
      return null; // no answer, or an error reply: we do not know
    }
  }

  const stored = (orderId: number): CreateOrderReply | null => {
    const o = ctx.db.get('orders', orderId);
    return o ? { ok: true, orderId, total: o.total } : null;
  };

  ctx.handle('createOrder', async (req: CreateOrderRequest): Promise<CreateOrderReply> => {
    const items = req?.items;
    const valid =
      isInt(req?.orderId) &&
      isInt(req?.userId) &&
      Array.isArray(items) &&
      items.length > 0 &&
      items.length <= 50 &&
      items.every((l) => l !== null && typeof l === 'object' && isInt(l.productId) && isInt(l.quantity) && l.quantity >= 1);
    if (!valid) return { ok: false, error: 'INVALID' };
    const again = stored(req.orderId);
    if (again) return again; // a retry of an order already placed

    // Validate the references through the owners' APIs; take the price from catalog now.
    const productIds = [...new Set(items.map((l) => l.productId))];
    let user: GetUserReply | null = null;
    let products: Array<GetProductReply | null> = [];
    for (let round = 0; round < LOOKUP_ROUNDS; round++) {
      [user, ...products] = await Promise.all([
        user ?? ask<GetUserReply>('users', 'getUser', { userId: req.userId }),
        ...productIds.map((productId, i) => (products[i] && products[i]!.ok ? products[i]! : ask<GetProductReply>('catalog', 'getProduct', { productId }))),
      ]);
      if (user && products.every((p) => p && (p.ok || p.error === 'NOT_FOUND'))) break;
    }
    if (!user) return { ok: false, error: 'UNAVAILABLE' };
    if (!user.ok) return { ok: false, error: user.error === 'NOT_FOUND' ? 'USER_NOT_FOUND' : 'UNAVAILABLE' };
    const prices = new Map<number, number>();
    for (let i = 0; i < productIds.length; i++) {
      const p = products[i];
      if (!p || (!p.ok && p.error !== 'NOT_FOUND')) return { ok: false, error: 'UNAVAILABLE' };
      if (!p.ok) return { ok: false, error: 'PRODUCT_NOT_FOUND' };
      prices.set(productIds[i]!, p.product.price);
    }
    const total = cents(items.reduce((s, l) => s + l.quantity * prices.get(l.productId)!, 0));

    try {
      return await ctx.db.transaction((tx): CreateOrderReply => {
        const o = tx.get('orders', req.orderId);
        if (o) return { ok: true, orderId: req.orderId, total: o.total };
        tx.insert('orders', { orderId: req.orderId, userId: req.userId, status: 'CREATED', total, createdAt: ctx.now() });
        items.forEach((l, line) =>
          tx.insert('order_items', { itemId: `${req.orderId}-${line}`, orderId: req.orderId, line, productId: l.productId, quantity: l.quantity, price: prices.get(l.productId)! }),
        );
        return { ok: true, orderId: req.orderId, total };
      });
    } catch {
      // A concurrent retry committed first (UniqueViolation), or the disk failed.
      return stored(req.orderId) ?? { ok: false, error: 'UNAVAILABLE' };
    }
  });

  ctx.handle('getOrderDetails', async (req: { orderId?: unknown }): Promise<GetOrderDetailsReply> => {
    const o = isInt(req?.orderId) ? ctx.db.get('orders', req.orderId) : undefined;
    if (!o) return { ok: false, error: migrated(ctx, 'orders', 'order_items') ? 'NOT_FOUND' : 'UNAVAILABLE' };
    const lines = ctx.db.scan<OrderLineRow>('order_items', { orderId: o.orderId }).sort((a, b) => a.line - b.line);
    const productIds = [...new Set(lines.map((l) => l.productId as number))];
    // API composition instead of a JOIN: one parallel round; whatever does not answer in time stays null.
    const [user, ...products] = await Promise.all([
      ask<GetUserReply>('users', 'getUser', { userId: o.userId }),
      ...productIds.map((productId) => ask<GetProductReply>('catalog', 'getProduct', { productId })),
    ]);
    const names = new Map(productIds.map((id, i) => [id, products[i]?.ok ? products[i]!.product.name : null] as const));
    const order: OrderDetails = {
      orderId: o.orderId,
      userId: o.userId,
      status: o.status,
      total: o.total,
      user: user?.ok ? { userId: o.userId, name: user.user.name } : null,
      items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity, price: l.price, name: names.get(l.productId) ?? null })),
    };
    return { ok: true, order };
  });

  return (async () => {
    await importTable(ctx, 'orders', (tx, o: LegacyOrder) =>
      tx.put('orders', { orderId: o.id, userId: o.user_id, status: o.status, total: o.total_amount, createdAt: o.created_at }),
    );
    await importTable(ctx, 'order_items', (tx, i: LegacyOrderItem) =>
      tx.put('order_items', { itemId: `legacy-${i.id}`, orderId: i.order_id, line: i.id, productId: i.product_id, quantity: i.quantity, price: i.price }),
    );
  })();
}

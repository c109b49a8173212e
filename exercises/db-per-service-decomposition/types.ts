/**
 * Exercise-specific types of "db-per-service-decomposition": the monolith's
 * export API, the provided users API, and the requests and replies of the
 * learner's catalog and orders services. Copied into api.d.ts for the learner
 * (npx tsx src/cli/gen-api.ts).
 */

// ---- legacy (the monolith, read-only during the cut-over) ----

/** Tables of the monolith's database, exactly as in the course's schema. */
export type LegacyTable = 'users' | 'products' | 'orders' | 'order_items';

export type LegacyUser = { id: number; email: string; password_hash: string; name: string; address: string };
export type LegacyProduct = { id: number; name: string; description: string; price: number; stock_quantity: number };
export type LegacyOrder = { id: number; user_id: number; total_amount: number; status: string; created_at: string };
export type LegacyOrderItem = { id: number; order_id: number; product_id: number; quantity: number; price: number };

/** `legacy.exportRows`: rows with `id > afterId` (default 0), ascending by id, at most `limit` (default 20, at most 50). */
export type ExportRowsRequest = { table: LegacyTable; afterId?: number; limit?: number };
/** `nextAfterId`: pass it as `afterId` for the next page; `null` when this page was the last. */
export type ExportRowsReply = { rows: Array<LegacyUser | LegacyProduct | LegacyOrder | LegacyOrderItem>; nextAfterId: number | null };

// ---- users (provided; its database is its own business) ----

export type GetUserRequest = { userId: number };
export type UserProfile = { userId: number; name: string; email: string };
export type GetUserReply = { ok: true; user: UserProfile } | { ok: false; error: 'NOT_FOUND' };

// ---- catalog (yours) ----

export type Product = { productId: number; name: string; description: string; price: number; stock: number };

export type GetProductRequest = { productId: number };
export type GetProductReply = { ok: true; product: Product } | { ok: false; error: 'NOT_FOUND' | 'UNAVAILABLE' };

export type SetPriceRequest = { productId: number; price: number };
export type SetPriceReply = { ok: true } | { ok: false; error: 'NOT_FOUND' | 'INVALID' | 'UNAVAILABLE' };

// ---- orders (yours) ----

export type OrderLine = { productId: number; quantity: number };

/** `orderId` is chosen by the caller: a repeated request with the same id must not create a second order. */
export type CreateOrderRequest = { orderId: number; userId: number; items: OrderLine[] };

export type CreateOrderError = 'USER_NOT_FOUND' | 'PRODUCT_NOT_FOUND' | 'INVALID' | 'UNAVAILABLE';
export type CreateOrderReply = { ok: true; orderId: number; total: number } | { ok: false; error: CreateOrderError };

export type GetOrderDetailsRequest = { orderId: number };

/** One line of an order: quantity and price are the order's own data; `name` comes from catalog (null when catalog cannot be reached). */
export type OrderDetailsItem = { productId: number; quantity: number; price: number; name: string | null };

export type OrderDetails = {
  orderId: number;
  userId: number;
  status: string;
  total: number;
  /** From users, through its API (null when users cannot be reached). */
  user: { userId: number; name: string } | null;
  items: OrderDetailsItem[];
};

export type GetOrderDetailsReply = { ok: true; order: OrderDetails } | { ok: false; error: 'NOT_FOUND' | 'UNAVAILABLE' };

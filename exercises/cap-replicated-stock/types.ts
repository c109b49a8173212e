/**
 * Exercise-specific types of "cap-replicated-stock": the requests and replies
 * of the learner's replica (run twice, as `stock-eu` and `stock-us`) and the
 * prescribed stock table. Copied into api.d.ts for the learner
 * (npx tsx src/cli/gen-api.ts).
 */

/** The two replicas of the service; each knows which one it is from `ctx.service`. */
export type ReplicaName = 'stock-eu' | 'stock-us';

/**
 * A row of the `stock` table (key `productId`), present before your code starts. A product's
 * row exists in exactly one replica — the product's home; the other replica has no row for it.
 */
export type StockRow = { productId: string; available: number };

/** `reservationId` is chosen by the shop, which repeats a request it got no definitive answer to. */
export type ReserveRequest = { reservationId: string; productId: string; quantity: number };
export type ReserveError = 'OUT_OF_STOCK' | 'UNAVAILABLE' | 'INVALID';
export type ReserveReply = { ok: true } | { ok: false; error: ReserveError };

/** One line of a cart; `lineId` is unique and chosen by the shop (it repeats an add it got no answer to). */
export type CartLine = { lineId: string; productId: string; quantity: number };

export type AddToCartRequest = { cartId: string; lineId: string; productId: string; quantity: number };
export type AddToCartReply = { ok: true } | { ok: false; error: 'INVALID' | 'UNAVAILABLE' };

export type GetCartRequest = { cartId: string };
/** The lines this replica knows, in any order. */
export type GetCartReply = { ok: true; lines: CartLine[] };

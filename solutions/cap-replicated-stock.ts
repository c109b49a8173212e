// Reference solution: one service in two data centres (course chapter 2, CAP in practice).
// Stock is CP: each product has one home replica that alone decides reservations; the other
// replica asks it and answers UNAVAILABLE fast when it cannot. Carts are AP: every add is stored
// locally and acknowledged at once, then pushed to the peer until it confirms; replicas merge by
// union of lines, so both converge once the network heals.
import { isUniqueViolation, isWriteConflict } from '@mdl/cap-replicated-stock';
import type { AddToCartReply, CartLine, GetCartReply, ReserveReply, ReserveRequest, ServiceContext, StockRow } from '@mdl/cap-replicated-stock';

/** The far side must answer within 300 ms: one forward, 250 ms at most. */
const FORWARD_TIMEOUT_MS = 250;
const PUSH_TIMEOUT_MS = 150;
const PUSH_EVERY_MS = 200;
const COMMIT_ATTEMPTS = 8;

type LineRow = CartLine & { cartId: string; origin: string; pushed: boolean };

const text = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 200;
const positive = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 1000;

export function replica(ctx: ServiceContext): void {
  const peer = ctx.service === 'stock-eu' ? 'stock-us' : 'stock-eu';
  ctx.db.createTable('stock', { key: 'productId' });
  ctx.db.createTable('reservations', { key: 'reservationId' });
  ctx.db.createTable('cart_lines', { key: 'lineId' });

  // ------------------------------------------------------------ stock (CP)

  /** Decides a reservation at the product's home: one transaction, guarded by `expect`, retried on conflicts. */
  async function reserveHere(req: ReserveRequest): Promise<ReserveReply> {
    for (let i = 0; i < COMMIT_ATTEMPTS; i++) {
      try {
        return await ctx.db.transaction((tx): ReserveReply => {
          if (tx.get('reservations', req.reservationId)) return { ok: true }; // a repeat of a reservation already made
          const s = tx.get<StockRow>('stock', req.productId);
          if (!s || s.available < req.quantity) return { ok: false, error: 'OUT_OF_STOCK' };
          tx.update('stock', req.productId, { available: s.available - req.quantity }, { expect: { available: s.available } });
          tx.insert('reservations', { reservationId: req.reservationId, productId: req.productId, quantity: req.quantity, at: ctx.now() });
          return { ok: true };
        });
      } catch (e) {
        if (!isWriteConflict(e) && !isUniqueViolation(e)) return { ok: false, error: 'UNAVAILABLE' }; // the disk failed
      }
    }
    return { ok: false, error: 'UNAVAILABLE' };
  }

  const valid = (req: Partial<ReserveRequest> | null): req is ReserveRequest => !!req && text(req.reservationId) && text(req.productId) && positive(req.quantity);

  ctx.handle('reserve', async (req: ReserveRequest): Promise<ReserveReply> => {
    if (!valid(req)) return { ok: false, error: 'INVALID' };
    if (ctx.db.get('stock', req.productId)) return reserveHere(req);
    // Not ours: only the home may decide. No answer in time means we cannot know — never guess.
    try {
      return await ctx.call<ReserveReply>(peer, 'reserveAtHome', req, { timeoutMs: FORWARD_TIMEOUT_MS });
    } catch {
      return { ok: false, error: 'UNAVAILABLE' };
    }
  });

  // A forwarded reservation: decided here or nowhere (never forwarded again).
  ctx.handle('reserveAtHome', (req: ReserveRequest): Promise<ReserveReply> | ReserveReply => {
    if (!valid(req)) return { ok: false, error: 'INVALID' };
    return ctx.db.get('stock', req.productId) ? reserveHere(req) : { ok: false, error: 'OUT_OF_STOCK' };
  });

  // ------------------------------------------------------------ carts (AP)

  ctx.handle('addToCart', async (req: Partial<LineRow> | null): Promise<AddToCartReply> => {
    if (!req || !text(req.cartId) || !text(req.lineId) || !text(req.productId) || !positive(req.quantity)) return { ok: false, error: 'INVALID' };
    if (!ctx.db.get('cart_lines', req.lineId)) {
      try {
        await ctx.db.insert('cart_lines', { lineId: req.lineId, cartId: req.cartId, productId: req.productId, quantity: req.quantity, origin: ctx.service, pushed: false });
      } catch (e) {
        if (!isUniqueViolation(e)) return { ok: false, error: 'UNAVAILABLE' }; // the disk failed: not stored, not acknowledged
      }
    }
    schedulePush(0);
    return { ok: true };
  });

  ctx.handle('getCart', (req: { cartId?: unknown } | null): GetCartReply => ({
    ok: true,
    lines: ctx.db.scan<LineRow>('cart_lines', { cartId: String(req?.cartId) }).map((l) => ({ lineId: l.lineId, productId: l.productId, quantity: l.quantity })),
  }));

  // The peer's lines: a union, so applying them twice or in any order changes nothing.
  ctx.handle('mergeLines', async (req: { lines?: unknown } | null) => {
    const lines = Array.isArray(req?.lines) ? (req.lines as LineRow[]) : [];
    await ctx.db.transaction((tx) => {
      for (const l of lines) if (!tx.get('cart_lines', l.lineId)) tx.insert('cart_lines', { ...l, pushed: true });
    });
    return { ok: true };
  });

  // Anti-entropy: the lines this replica took that the peer has not confirmed, retried until it does.
  // `pushed` is durable, so a restart picks up where the last incarnation stopped.
  let timer: number | null = null;
  let pushing = false;
  function schedulePush(ms: number): void {
    if (timer !== null) return;
    timer = ctx.setTimer(() => {
      timer = null;
      void push();
    }, ms);
  }
  async function push(): Promise<void> {
    if (pushing) return schedulePush(PUSH_EVERY_MS);
    const pending = ctx.db.scan<LineRow>('cart_lines', (l) => l.origin === ctx.service && !l.pushed);
    if (pending.length === 0) return;
    pushing = true;
    try {
      await ctx.call(peer, 'mergeLines', { lines: pending.map(({ pushed: _, ...l }) => l) }, { timeoutMs: PUSH_TIMEOUT_MS });
      await ctx.db.transaction((tx) => {
        for (const l of pending) tx.update('cart_lines', l.lineId, { pushed: true });
      });
    } catch {
      // the peer is unreachable or the disk failed: next round
    } finally {
      pushing = false;
    }
    if (ctx.db.scan<LineRow>('cart_lines', (l) => l.origin === ctx.service && !l.pushed).length > 0) schedulePush(PUSH_EVERY_MS);
  }
  schedulePush(0);
}

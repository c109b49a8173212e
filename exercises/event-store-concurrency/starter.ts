// Event store with optimistic concurrency + the Order aggregate.
// Read the statement first. Run it, look at the trace, then make the checks pass.
import type {
  AppendReply,
  AppendRequest,
  CommandReply,
  OrderSnapshotState,
  OrderView,
  ServiceContext,
  StoredEvent,
} from '@mdl/event-store-concurrency';

// ---------------------------------------------------------------- event store

export function eventStore(ctx: ServiceContext): void {
  // TODO: the course's UNIQUE(aggregate_id, event_version) — declare it with createTable's `unique` option.
  ctx.db.createTable('events');
  ctx.db.createTable('snapshots', { key: 'aggregateId' });

  ctx.handle('append', async (req: AppendRequest): Promise<AppendReply> => {
    const current = ctx.db.scan<StoredEvent>('events', { aggregateId: req.aggregateId }).length;
    // TODO: compare req.expectedVersion with the current version (optimistic concurrency)
    //       and answer { ok: false, error: 'ConcurrencyError', currentVersion } on a mismatch.
    // TODO: write all events in ONE transaction (ctx.db.transaction).
    for (let i = 0; i < req.events.length; i++) {
      const version = current + i + 1;
      const e = req.events[i]!;
      await ctx.db.insert('events', { id: `${req.aggregateId}:${version}`, aggregateId: req.aggregateId, aggregateType: req.aggregateType, type: e.type, data: e.data, version });
    }
    return { ok: true, version: current + req.events.length };
  });

  ctx.handle('read', (req: { aggregateId: string; fromVersion?: number }) => {
    // TODO: only events with version > fromVersion, in ascending version order.
    return ctx.db.scan<StoredEvent>('events', { aggregateId: req.aggregateId });
  });

  ctx.handle('version', (req: { aggregateId: string }) => ctx.db.scan('events', { aggregateId: req.aggregateId }).length);

  // TODO: saveSnapshot { aggregateId, version, state } and loadSnapshot { aggregateId } -> snapshot | null
  ctx.handle('saveSnapshot', () => ({ ok: true }));
  ctx.handle('loadSnapshot', () => null);
}

// ---------------------------------------------------------------- orders (Order aggregate)

function emptyOrder(orderId: string): OrderSnapshotState {
  return { orderId, status: 'CREATED', items: [], totalAmount: 0 };
}

function applyEvent(state: OrderSnapshotState, e: StoredEvent): OrderSnapshotState {
  if (e.type === 'ItemAdded') {
    const item = { productId: String(e.data.productId), quantity: Number(e.data.quantity), price: Number(e.data.price) };
    return { ...state, items: [...state.items, item], totalAmount: state.totalAmount + item.quantity * item.price };
  }
  // TODO: OrderConfirmed
  return state;
}

export function orders(ctx: ServiceContext): void {
  async function load(orderId: string): Promise<{ state: OrderSnapshotState; version: number }> {
    // TODO: start from the snapshot (loadSnapshot) and read only the tail after it.
    const events = await ctx.call<StoredEvent[]>('event-store', 'read', { aggregateId: orderId, fromVersion: 0 });
    let state = emptyOrder(orderId);
    for (const e of events) state = applyEvent(state, e);
    return { state, version: events.length };
  }

  ctx.handle('addItem', async (req: { orderId: string; productId: string; quantity: number; price: number }): Promise<CommandReply> => {
    const { version } = await load(req.orderId);
    // TODO: refuse when the order is already confirmed; retry on ConcurrencyError; snapshot every 3 events.
    const r = await ctx.call<AppendReply>('event-store', 'append', {
      aggregateId: req.orderId,
      aggregateType: 'Order',
      expectedVersion: version,
      events: [{ type: 'ItemAdded', data: { productId: req.productId, quantity: req.quantity, price: req.price } }],
    });
    return r.ok ? { ok: true, version: r.version } : { ok: false, error: 'CONFLICT' };
  });

  ctx.handle('confirm', async (_req: { orderId: string }): Promise<CommandReply> => {
    // TODO: append OrderConfirmed { totalAmount } — but never for an empty or an already confirmed order.
    return { ok: false, error: 'UNAVAILABLE' };
  });

  ctx.handle('getOrder', async (req: { orderId: string }): Promise<OrderView> => {
    const { state, version } = await load(req.orderId);
    return { ...state, version };
  });
}

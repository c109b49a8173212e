// Reference solution: event store with optimistic concurrency + Order aggregate with snapshots (course chapter 4).
import { isUniqueViolation } from '@mdl/event-store-concurrency';
import type {
  AppendReply,
  AppendRequest,
  CommandReply,
  NewEvent,
  OrderSnapshotState,
  OrderView,
  ServiceContext,
  Snapshot,
  StoredEvent,
} from '@mdl/event-store-concurrency';

const SNAPSHOT_EVERY = 3;
const COMMAND_ATTEMPTS = 8;

// ---------------------------------------------------------------- event store

export function eventStore(ctx: ServiceContext): void {
  ctx.db.createTable('events', { unique: [['aggregateId', 'version']] });
  ctx.db.createTable('snapshots', { key: 'aggregateId' });

  const currentVersion = (aggregateId: string) => ctx.db.scan<StoredEvent>('events', { aggregateId }).length;

  ctx.handle('append', async (req: AppendRequest): Promise<AppendReply> => {
    try {
      return await ctx.db.transaction((tx): AppendReply => {
        const current = tx.scan<StoredEvent>('events', { aggregateId: req.aggregateId }).length;
        if (current !== req.expectedVersion) return { ok: false, error: 'ConcurrencyError', currentVersion: current };
        req.events.forEach((e, i) => {
          const version = current + i + 1;
          tx.insert('events', { id: `${req.aggregateId}:${version}`, aggregateId: req.aggregateId, aggregateType: req.aggregateType, type: e.type, data: e.data, version });
        });
        return { ok: true, version: current + req.events.length };
      });
    } catch (e) {
      // A concurrent transaction committed the same versions first.
      if (isUniqueViolation(e)) return { ok: false, error: 'ConcurrencyError', currentVersion: currentVersion(req.aggregateId) };
      throw e;
    }
  });

  ctx.handle('read', (req: { aggregateId: string; fromVersion?: number }) =>
    ctx.db.scan<StoredEvent>('events', (e) => e.aggregateId === req.aggregateId && e.version > (req.fromVersion ?? 0)).sort((a, b) => a.version - b.version),
  );

  ctx.handle('version', (req: { aggregateId: string }) => currentVersion(req.aggregateId));

  ctx.handle('saveSnapshot', async (s: Snapshot) => {
    await ctx.db.transaction((tx) => {
      const old = tx.get<Snapshot>('snapshots', s.aggregateId);
      if (!old || old.version < s.version) tx.put('snapshots', { aggregateId: s.aggregateId, version: s.version, state: s.state });
    });
    return { ok: true };
  });

  ctx.handle('loadSnapshot', (req: { aggregateId: string }) => ctx.db.get<Snapshot>('snapshots', req.aggregateId) ?? null);
}

// ---------------------------------------------------------------- Order aggregate

function emptyOrder(orderId: string): OrderSnapshotState {
  return { orderId, status: 'CREATED', items: [], totalAmount: 0 };
}

function applyEvent(state: OrderSnapshotState, e: { type: string; data: NewEvent['data'] }): OrderSnapshotState {
  if (e.type === 'ItemAdded') {
    const item = { productId: String(e.data.productId), quantity: Number(e.data.quantity), price: Number(e.data.price) };
    return { ...state, items: [...state.items, item], totalAmount: state.totalAmount + item.quantity * item.price };
  }
  if (e.type === 'OrderConfirmed') return { ...state, status: 'CONFIRMED' };
  return state;
}

export function orders(ctx: ServiceContext): void {
  const store = <T>(method: string, payload: unknown) => ctx.call<T>('event-store', method, payload as never, { timeoutMs: 200 });

  async function load(orderId: string): Promise<{ state: OrderSnapshotState; version: number }> {
    const snap = await store<Snapshot | null>('loadSnapshot', { aggregateId: orderId });
    let state = snap ? snap.state : emptyOrder(orderId);
    let version = snap ? snap.version : 0;
    const tail = await store<StoredEvent[]>('read', { aggregateId: orderId, fromVersion: version });
    for (const e of tail) {
      state = applyEvent(state, e);
      version = e.version;
    }
    return { state, version };
  }

  /** Decide (may refuse), append with the expected version, snapshot when crossing a multiple; retry on conflicts. */
  async function command(orderId: string, decide: (s: OrderSnapshotState) => NewEvent | { refuse: 'ORDER_CONFIRMED' | 'EMPTY_ORDER' }): Promise<CommandReply> {
    for (let attempt = 0; attempt < COMMAND_ATTEMPTS; attempt++) {
      try {
        const { state, version } = await load(orderId);
        const decision = decide(state);
        if ('refuse' in decision) return { ok: false, error: decision.refuse };
        const r = await store<AppendReply>('append', { aggregateId: orderId, aggregateType: 'Order', expectedVersion: version, events: [decision] });
        if (!r.ok) {
          await ctx.sleep(1 + Math.floor(ctx.random() * 5));
          continue;
        }
        const next = applyEvent(state, decision);
        if (Math.floor(r.version / SNAPSHOT_EVERY) > Math.floor(version / SNAPSHOT_EVERY)) {
          await store('saveSnapshot', { aggregateId: orderId, version: r.version, state: next }).catch(() => undefined);
        }
        return { ok: true, version: r.version, totalAmount: next.totalAmount };
      } catch {
        await ctx.sleep(20);
      }
    }
    return { ok: false, error: 'CONFLICT' };
  }

  ctx.handle('addItem', (req: { orderId: string; productId: string; quantity: number; price: number }) =>
    command(req.orderId, (s) =>
      s.status !== 'CREATED' ? { refuse: 'ORDER_CONFIRMED' } : { type: 'ItemAdded', data: { productId: req.productId, quantity: req.quantity, price: req.price } },
    ),
  );

  ctx.handle('confirm', (req: { orderId: string }) =>
    command(req.orderId, (s) => {
      if (s.status !== 'CREATED') return { refuse: 'ORDER_CONFIRMED' };
      if (s.items.length === 0) return { refuse: 'EMPTY_ORDER' };
      return { type: 'OrderConfirmed', data: { totalAmount: s.totalAmount } };
    }),
  );

  ctx.handle('getOrder', async (req: { orderId: string }): Promise<OrderView> => {
    const { state, version } = await load(req.orderId);
    return { ...state, version };
  });
}

/**
 * Exercise-specific types of "event-store-concurrency": the event store's and
 * the orders service's request/response shapes and the prescribed tables.
 * Copied into api.d.ts for the learner.
 */

/** An event to append: its type and data. */
export type NewEvent = { type: string; data: { [key: string]: string | number | boolean | null } };

/** A row of the event store's `events` table (primary key `id`, UNIQUE(aggregateId, version)). */
export type StoredEvent = {
  id: string;
  aggregateId: string;
  aggregateType: string;
  type: string;
  data: { [key: string]: string | number | boolean | null };
  /** 1 for the first event of a stream, then +1 per event: no gaps, no duplicates. */
  version: number;
};

export type AppendRequest = {
  aggregateId: string;
  aggregateType: string;
  /** The stream's version the writer based its decision on (0 for a new stream). */
  expectedVersion: number;
  events: NewEvent[];
};

export type AppendReply = { ok: true; version: number } | { ok: false; error: 'ConcurrencyError'; currentVersion: number };

export type ReadRequest = { aggregateId: string; fromVersion?: number };
export type VersionRequest = { aggregateId: string };

/** A row of the event store's `snapshots` table (primary key `aggregateId`). */
export type Snapshot = { aggregateId: string; version: number; state: OrderSnapshotState };
export type SaveSnapshotRequest = Snapshot;
export type LoadSnapshotRequest = { aggregateId: string };

export type OrderItem = { productId: string; quantity: number; price: number };
export type OrderStatus = 'CREATED' | 'CONFIRMED';

/** The Order aggregate's state as stored in a snapshot. */
export type OrderSnapshotState = { orderId: string; status: OrderStatus; items: OrderItem[]; totalAmount: number };

/** Reply of `orders.getOrder`: the state rebuilt from snapshot + tail, and its version. */
export type OrderView = OrderSnapshotState & { version: number };

/** Event types of the Order aggregate. */
export type ItemAddedData = OrderItem;
export type OrderConfirmedData = { totalAmount: number };

export type AddItemRequest = { orderId: string } & OrderItem;
export type ConfirmRequest = { orderId: string };
export type GetOrderRequest = { orderId: string };

export type OrderError = 'ORDER_CONFIRMED' | 'EMPTY_ORDER' | 'CONFLICT' | 'UNAVAILABLE';
export type CommandReply = { ok: true; version: number; totalAmount?: number } | { ok: false; error: OrderError };

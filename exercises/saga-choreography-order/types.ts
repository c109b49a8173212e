/**
 * Exercise-specific types of "saga-choreography-order": the request the client
 * sends, the events on the broker and the prescribed table rows the grader
 * reads. Copied into api.d.ts for the learner.
 */

/** What the client sends to `order.placeOrder` (the course's example: order 12345, 5 × product-a, $100, card *1234). */
export type OrderRequest = {
  /** Unique per order; the client retries with the same one. */
  orderId: string;
  productId: string;
  quantity: number;
  /** Price of the order in dollars. */
  amount: number;
  card: string;
  address: string;
};

/** Reply of `placeOrder`: the order is stored and its saga will run to the end. */
export type PlaceOrderReply = { accepted: true };

/** Topics of the saga (one topic per event type). You may add topics of your own. */
export type Topic =
  | 'OrderCreated'
  | 'PaymentSucceeded'
  | 'PaymentFailed'
  | 'ItemsReserved'
  | 'ItemsUnavailable'
  | 'ShipmentCreated'
  | 'ShipmentFailed';

/** Fields every event carries, whatever its topic (the grader rebuilds each order's chain from them). */
export type EventEnvelope = {
  /** Unique id of this event (a re-publication of the same event keeps it). */
  eventId: string;
  /** The order the event belongs to: always its orderId. */
  correlationId: string;
  /** eventId of the event that caused this one; null only for the OrderCreated that starts the chain. */
  causationId: string | null;
  orderId: string;
};

/** Published by order when an order is placed. */
export type OrderCreated = EventEnvelope & {
  productId: string;
  quantity: number;
  amount: number;
  card: string;
  address: string;
};

/** Published by payment: the card was charged. Carry on what the next steps need. */
export type PaymentSucceeded = EventEnvelope & { [field: string]: unknown };

/** Published by payment: the card was declined (nothing charged). */
export type PaymentFailed = EventEnvelope & { reason: string };

/** Published by inventory: the items are reserved. The shipping service reads exactly these fields. */
export type ItemsReserved = EventEnvelope & {
  productId: string;
  quantity: number;
  address: string;
};

/** Published by inventory: not enough stock (nothing reserved). */
export type ItemsUnavailable = EventEnvelope & { reason: string };

/** Published by shipping (provided): the parcel is on its way. */
export type ShipmentCreated = EventEnvelope & { trackingNumber: string };

/** Published by shipping (provided): the carrier refused the parcel (e.g. `UNDELIVERABLE`); nothing was shipped. */
export type ShipmentFailed = EventEnvelope & { reason: string };

export type OrderStatus = 'SHIPPED' | 'CANCELLED' | string;

/** A row of order's `orders` table (primary key `id` = orderId). Prescribed: `status` and, once shipped, `trackingNumber`. */
export type OrderRow = {
  id: string;
  /** Ends as `SHIPPED` or `CANCELLED`; states in between are up to you. */
  status: OrderStatus;
  trackingNumber?: string | null;
  [field: string]: unknown;
};

/**
 * A row of payment's `payments` table: the money ledger. Every movement of money
 * is a NEW row; rows are never updated or deleted. Only `CHARGE` and `REFUND`
 * rows count as money.
 */
export type PaymentRow = {
  id: string;
  orderId: string;
  type: 'CHARGE' | 'REFUND' | string;
  /** Positive, in dollars (a refund row holds the refunded amount). */
  amount: number;
  [field: string]: unknown;
};

/** A row of payment's `cards` table (exists when payment starts; created with `{ conflicts: 'first-committer-wins' }`). */
export type CardRow = { id: string; balance: number; [field: string]: unknown };

/** A row of inventory's `stock` table (exists when inventory starts; created with `{ conflicts: 'first-committer-wins' }`). */
export type StockRow = { id: string; name: string; available: number; [field: string]: unknown };

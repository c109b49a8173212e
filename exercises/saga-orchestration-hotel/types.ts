/**
 * Exercise-specific types of "saga-orchestration-hotel": the request the client
 * sends, the participants' replies and the prescribed shape of the
 * orchestrator's `sagas` table. Copied into api.d.ts for the learner.
 */

export type CarRequest = {
  carType: string;
  pickupDate: string;
};

/** What the client sends to `orchestrator.startBooking`. */
export type BookingRequest = {
  /** Unique per booking; use it as the idempotency key towards the participants. */
  sagaId: string;
  guest: string;
  hotelId: string;
  checkIn: string;
  checkOut: string;
  /** null when no car is wanted. */
  car: CarRequest | null;
  card: string;
  amount: number;
};

/** Reply of `startBooking`: the saga is stored and will run to the end. */
export type StartBookingReply = { accepted: true };

/**
 * Reply of every participant operation. `ok: false` is a business refusal
 * (e.g. `NO_ROOMS`, `INSUFFICIENT_FUNDS`, `FAILED_INSPECTION`) — the outcome is
 * known. A thrown RpcTimeout/RemoteError means the outcome is unknown.
 */
export type ParticipantReply = { ok: true; [key: string]: string | number | boolean | null } | { ok: false; reason: string };

export type SagaStatus = 'STARTED' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED';
export type SagaStep = 'BOOKING' | 'HOTEL' | 'CAR' | 'PAYMENT' | 'CONFIRM_HOTEL' | 'CONFIRM_CAR' | 'CONFIRM_BOOKING';

/** A row of the orchestrator's `sagas` table (primary key `id` = sagaId). Only `id` and `status` are prescribed. */
export type SagaRow = {
  id: string;
  status: SagaStatus;
  step: SagaStep;
  request: BookingRequest;
  failure: string | null;
  updatedAt: number;
};

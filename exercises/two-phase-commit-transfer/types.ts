/**
 * Exercise-specific types of "two-phase-commit-transfer": the transfer the
 * client asks for, the prescribed messages between a coordinator and the
 * participants, and the prescribed rows the grader reads. Copied into
 * api.d.ts for the learner.
 */

/** Services your `coordinator` export runs as: two independent coordinators, each with its own database. */
export type CoordinatorName = 'coordinator' | 'coordinator-2';
/** Services your `participant` export runs as (branch on `ctx.service`). */
export type ParticipantName = 'account' | 'payment' | 'audit';

/** The course's transfer: `amount` from account `from` to account `to`. `txId` is unique per transfer. */
export type TransferRequest = {
  txId: string;
  from: number;
  to: number;
  amount: number;
};

/**
 * Reply of `coordinator.transfer`. COMMITTED / ABORTED are final and must never
 * change for a txId (the client retries with the same txId). PENDING: not
 * decided yet, ask again. An ABORTED caused by a NO vote carries the vote's
 * reason (e.g. `INSUFFICIENT_FUNDS`, `LOCKED`).
 */
export type TransferReply = { status: 'COMMITTED' } | { status: 'ABORTED'; reason: string } | { status: 'PENDING' };

/** Phase 1: `ctx.call(participant, 'prepare', PrepareRequest)` — the transfer itself. */
export type PrepareRequest = TransferRequest;

/** A participant's answer to `prepare`. YES is a promise: it can no longer refuse to commit. */
export type Vote = { vote: 'YES' } | { vote: 'NO'; reason: string };

/** Phase 2: `ctx.call(participant, 'commit' | 'abort', DecisionRequest)`; any reply is an acknowledgement. */
export type DecisionRequest = { txId: string };

/** A row of `account.accounts` (exists before the run: ids 1, 2, 3). */
export type AccountRow = { id: number; balance: number };

/**
 * A row of `account.transactions`, `payment.payments` and `audit.audit_log`:
 * one row per **committed** transfer, written in the same local transaction
 * that applies it (for `account`: the one that changes both balances). Other
 * fields and the primary key are up to you (e.g. `id` = txId).
 */
export type TransferRow = {
  txId: string;
  from: number;
  to: number;
  amount: number;
};

// Two-phase commit of the course's transfer: account 1 → account 2, 100.
// Read the statement first. Run it, look at the trace, then make the checks pass.
// This starter only knows the happy path: nothing is durable, nothing is locked, nobody recovers.
import type { DecisionRequest, PrepareRequest, ServiceContext, TransferReply, TransferRequest, Vote } from '@mdl/two-phase-commit-transfer';

const PARTICIPANTS = ['account', 'payment', 'audit'];

export function coordinator(ctx: ServiceContext): void {
  // Runs as `coordinator` and as `coordinator-2`, each with its own ctx.db.
  ctx.handle('transfer', async (req: TransferRequest): Promise<TransferReply> => {
    // Phase 1: PREPARE (is everybody ready?)
    // TODO a participant that does not answer (timeout) or answers NO means ABORT — and every participant must hear abort.
    const votes = await Promise.all(PARTICIPANTS.map((p) => ctx.call<Vote>(p, 'prepare', req satisfies PrepareRequest)));
    ctx.log.info('votes', votes);

    // TODO store the decision in ctx.db BEFORE phase 2, so that it survives a crash of the coordinator,
    //      and answer a retried transfer (same txId) from it.
    // Phase 2: COMMIT (everybody does it)
    // TODO retry commit/abort until every participant acknowledged it.
    await Promise.all(PARTICIPANTS.map((p) => ctx.call(p, 'commit', { txId: req.txId } satisfies DecisionRequest)));
    return { status: 'COMMITTED' };
  });
  // TODO after a restart (ctx.incarnation > 1): finish the transfers your log knows about.
  // TODO answer prepared participants that ask for the decision of a txId.
}

export function participant(ctx: ServiceContext): void {
  // Runs as `account`, `payment` and `audit`: ctx.service says which one you are.
  // TODO this memory is lost in a crash: a PREPARED transfer must be in ctx.db before you vote YES.
  const prepared = new Map<string, TransferRequest>();

  ctx.handle('prepare', (req: PrepareRequest): Vote => {
    // TODO account: vote NO with a reason when `from` lacks the money (INSUFFICIENT_FUNDS)
    //      or an account is locked by another prepared transfer (LOCKED); otherwise lock both accounts.
    prepared.set(req.txId, req);
    return { vote: 'YES' };
  });

  ctx.handle('commit', async ({ txId }: DecisionRequest) => {
    const t = prepared.get(txId);
    if (!t) return { ok: true };
    const row = { id: t.txId, txId: t.txId, from: t.from, to: t.to, amount: t.amount };
    await ctx.db.transaction((tx) => {
      if (ctx.service === 'account') {
        const from = tx.get('accounts', t.from)!;
        const to = tx.get('accounts', t.to)!;
        tx.update('accounts', t.from, { balance: from.balance - t.amount });
        tx.update('accounts', t.to, { balance: to.balance + t.amount });
        tx.insert('transactions', row);
      } else if (ctx.service === 'payment') tx.insert('payments', row);
      else tx.insert('audit_log', row);
    });
    prepared.delete(txId);
    return { ok: true };
  });

  // TODO abort: forget the prepared transfer and release its locks (idempotent; remember aborts of unknown txIds).
  // TODO in doubt after a restart: ask the coordinator that prepared you (meta.from of prepare) — never decide alone.
}

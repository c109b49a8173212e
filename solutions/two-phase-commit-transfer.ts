// Reference solution: two-phase commit of the course's transfer (presumed abort).
import { isDatabaseWriteError, isRemoteError, isUniqueViolation } from '@mdl/two-phase-commit-transfer';
import type { DecisionRequest, PrepareRequest, ServiceContext, Transaction, TransferReply, TransferRequest, Vote } from '@mdl/two-phase-commit-transfer';

const PARTICIPANTS = ['account', 'payment', 'audit'];
/** Phase 1: each vote gets a few short attempts, all well within the client's 1 s. */
const PREPARE_TIMEOUT_MS = 150;
const PREPARE_ATTEMPTS = 3;
/** Phase 2 is retried until every participant acknowledged (they always come back). */
const DECISION_TIMEOUT_MS = 200;
const DECISION_PAUSE_MS = 100;
/** A prepared participant asks its coordinator this often until it learns the decision. */
const INQUIRY_EVERY_MS = 400;
/** How long a `transfer` request waits for the decision before answering PENDING. */
const REPLY_WITHIN_MS = 800;

type Decision = 'COMMIT' | 'ABORT';

/** A row of the coordinator's `txlog`. PREPARING rows without a decision are aborted after a restart (presumed abort). */
type TxLog = {
  id: string;
  request: TransferRequest;
  state: 'PREPARING' | Decision;
  reason: string | null;
  /** Phase 2 finished: every participant acknowledged the decision. */
  done: boolean;
};

/** Retries an operation of our own database while it fails (an injected disk failure is temporary). */
async function durably<T>(ctx: ServiceContext, op: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (!isDatabaseWriteError(e)) throw e;
      await ctx.sleep(50);
    }
  }
}

function validTransfer(p: unknown): TransferRequest | null {
  const t = (p ?? {}) as Partial<TransferRequest>;
  if (typeof t.txId !== 'string' || t.txId === '') return null;
  if (!Number.isInteger(t.from) || !Number.isInteger(t.to) || t.from === t.to) return null;
  if (typeof t.amount !== 'number' || !(t.amount > 0)) return null;
  return { txId: t.txId, from: t.from!, to: t.to!, amount: t.amount };
}

export function coordinator(ctx: ServiceContext): void {
  ctx.db.createTable('txlog');
  /** Transfers this incarnation is running (phase 1 + decision), by txId. */
  const running = new Map<string, Promise<TxLog>>();
  const phase2 = new Set<string>();

  /** Logs the decision unless one is already logged; returns the logged row. The log is the truth: phase 2 starts only after this. */
  function decide(txId: string, decision: Decision, reason: string | null): Promise<TxLog> {
    return durably(ctx, () =>
      ctx.db.transaction((tx) => {
        const row = tx.get<TxLog>('txlog', txId);
        if (row && row.state !== 'PREPARING') return row;
        const next: TxLog = row
          ? { ...row, state: decision, reason }
          : { id: txId, request: { txId, from: 0, to: 0, amount: 0 }, state: decision, reason, done: false };
        tx.put('txlog', next);
        return next;
      }),
    );
  }

  async function vote(to: string, req: PrepareRequest): Promise<Vote> {
    for (let attempt = 1; attempt <= PREPARE_ATTEMPTS; attempt++) {
      try {
        const v = (await ctx.call(to, 'prepare', req, { timeoutMs: PREPARE_TIMEOUT_MS })) as Vote;
        return v && v.vote === 'YES' ? v : { vote: 'NO', reason: v && typeof v.reason === 'string' ? v.reason : 'NO' };
      } catch (e) {
        if (isRemoteError(e)) return { vote: 'NO', reason: 'PARTICIPANT_ERROR' };
        // RpcTimeout: the vote may come on the next attempt (prepare is idempotent)
      }
    }
    return { vote: 'NO', reason: 'TIMEOUT' }; // a missing vote is a NO
  }

  /** Phase 2: tell every participant, until each acknowledged. */
  async function complete(row: TxLog): Promise<void> {
    if (row.done || phase2.has(row.id)) return;
    phase2.add(row.id);
    const method = row.state === 'COMMIT' ? 'commit' : 'abort';
    await Promise.all(
      PARTICIPANTS.map(async (p) => {
        for (;;) {
          try {
            await ctx.call(p, method, { txId: row.id } satisfies DecisionRequest, { timeoutMs: DECISION_TIMEOUT_MS });
            return;
          } catch {
            await ctx.sleep(DECISION_PAUSE_MS);
          }
        }
      }),
    );
    await durably(ctx, () => ctx.db.update('txlog', row.id, { done: true }));
    phase2.delete(row.id);
  }

  async function run(req: TransferRequest): Promise<TxLog> {
    const votes = await Promise.all(PARTICIPANTS.map((p) => vote(p, req)));
    const no = votes.find((v) => v.vote === 'NO') as { vote: 'NO'; reason: string } | undefined;
    const row = await decide(req.txId, no ? 'ABORT' : 'COMMIT', no ? no.reason : null);
    void complete(row).catch((e) => ctx.log.error('phase 2', String(e)));
    return row;
  }

  function start(req: TransferRequest): Promise<TxLog> {
    let p = running.get(req.txId);
    if (!p) {
      p = run(req).finally(() => running.delete(req.txId));
      running.set(req.txId, p);
    }
    return p;
  }

  const reply = (row: TxLog | undefined): TransferReply =>
    !row || row.state === 'PREPARING' ? { status: 'PENDING' } : row.state === 'COMMIT' ? { status: 'COMMITTED' } : { status: 'ABORTED', reason: row.reason ?? 'ABORTED' };

  // After a restart: transfers without a decision are aborted (nobody was told COMMIT); logged decisions are re-sent.
  const inherited = new Set(ctx.db.scan<TxLog>('txlog', { state: 'PREPARING' }).map((r) => r.id));
  void (async () => {
    for (const row of ctx.db.scan<TxLog>('txlog', (r) => !r.done)) {
      const logged = row.state === 'PREPARING' ? await decide(row.id, 'ABORT', 'COORDINATOR_RESTARTED') : row;
      void complete(logged).catch((e) => ctx.log.error('phase 2', String(e)));
    }
  })().catch((e) => ctx.log.error('recovery', String(e)));

  ctx.handle('transfer', async (p): Promise<TransferReply> => {
    const req = validTransfer(p);
    if (!req) return { status: 'ABORTED', reason: 'INVALID' };
    let row = ctx.db.get<TxLog>('txlog', req.txId);
    if (!row) {
      await durably(ctx, () =>
        ctx.db.transaction((tx) => {
          if (!tx.get('txlog', req.txId)) tx.insert('txlog', { id: req.txId, request: req, state: 'PREPARING', reason: null, done: false } satisfies TxLog);
        }),
      );
      row = ctx.db.get<TxLog>('txlog', req.txId)!;
    }
    if (row.state === 'PREPARING') {
      // Ours to run — unless an earlier incarnation started it: nobody collects those votes any more, so it is aborted.
      const outcome = inherited.has(req.txId) ? decide(req.txId, 'ABORT', 'COORDINATOR_RESTARTED') : start(row.request);
      await Promise.race([outcome, ctx.sleep(REPLY_WITHIN_MS)]);
      row = ctx.db.get<TxLog>('txlog', req.txId);
    }
    return reply(row);
  });

  // A prepared participant asks for the decision. Unknown transfers are aborted (presumed abort), and the abort is logged first.
  ctx.handle('decision', async (p: DecisionRequest) => {
    const txId = typeof p?.txId === 'string' ? p.txId : '';
    let row = ctx.db.get<TxLog>('txlog', txId);
    if (row?.state === 'PREPARING' && running.has(txId)) return { decision: 'PENDING' };
    if (!row || row.state === 'PREPARING') row = await decide(txId, 'ABORT', 'COORDINATOR_RESTARTED');
    return { decision: row.state };
  });
}

// ---------------------------------------------------------------------------

/** A row of a participant's `txs`: its durable part of each transaction. */
type TxState = {
  id: string;
  state: 'PREPARED' | 'COMMITTED' | 'ABORTED';
  request: TransferRequest | null;
  /** Who prepared it: the coordinator to ask after a restart. */
  coordinator: string;
};

export function participant(ctx: ServiceContext): void {
  const me = ctx.service;
  ctx.db.createTable('txs');
  if (me === 'account') ctx.db.createTable('locks'); // one row per locked account: the primary key makes a second lock fail at commit

  /** The local work of a commit, in the same local transaction as the state change. */
  function apply(tx: Transaction, t: TransferRequest): void {
    const row = { id: t.txId, txId: t.txId, from: t.from, to: t.to, amount: t.amount };
    if (me === 'account') {
      const from = tx.get('accounts', t.from)!;
      const to = tx.get('accounts', t.to)!;
      tx.update('accounts', t.from, { balance: from.balance - t.amount });
      tx.update('accounts', t.to, { balance: to.balance + t.amount });
      tx.insert('transactions', row);
      tx.delete('locks', t.from);
      tx.delete('locks', t.to);
    } else if (me === 'payment') tx.insert('payments', row);
    else tx.insert('audit_log', row);
  }

  async function resolve(txId: string, decision: 'COMMIT' | 'ABORT'): Promise<void> {
    await ctx.db.transaction((tx) => {
      const s = tx.get<TxState>('txs', txId);
      if (s && s.state !== 'PREPARED') return; // already resolved (duplicates, retries)
      if (!s) {
        // Never prepared here: remember the abort so that a late prepare is refused.
        if (decision === 'ABORT') tx.insert('txs', { id: txId, state: 'ABORTED', request: null, coordinator: '' } satisfies TxState);
        return;
      }
      if (decision === 'COMMIT') apply(tx, s.request!);
      else if (me === 'account') {
        tx.delete('locks', s.request!.from);
        tx.delete('locks', s.request!.to);
      }
      tx.update('txs', txId, { state: decision === 'COMMIT' ? 'COMMITTED' : 'ABORTED' });
    });
  }

  /** In doubt: only the coordinator knows. Ask until it answers (never decide alone). */
  const watching = new Set<string>();
  function watch(txId: string): void {
    if (watching.has(txId)) return;
    watching.add(txId);
    void (async () => {
      for (;;) {
        await ctx.sleep(INQUIRY_EVERY_MS);
        const s = ctx.db.get<TxState>('txs', txId);
        if (!s || s.state !== 'PREPARED') break;
        try {
          const r = (await ctx.call(s.coordinator, 'decision', { txId } satisfies DecisionRequest, { timeoutMs: DECISION_TIMEOUT_MS })) as { decision?: string };
          if (r?.decision === 'COMMIT' || r?.decision === 'ABORT') await resolve(txId, r.decision);
        } catch {
          // coordinator down or unreachable, or our disk failed: ask again later
        }
      }
      watching.delete(txId);
    })().catch((e) => ctx.log.error('in doubt', txId, String(e)));
  }
  for (const s of ctx.db.scan<TxState>('txs', { state: 'PREPARED' })) watch(s.id);

  ctx.handle('prepare', async (p, meta): Promise<Vote> => {
    const t = validTransfer(p);
    if (!t) return { vote: 'NO', reason: 'INVALID' };
    const vote = await ctx.db.transaction((tx): Vote => {
      const s = tx.get<TxState>('txs', t.txId);
      if (s) return s.state === 'ABORTED' ? { vote: 'NO', reason: 'ABORTED' } : { vote: 'YES' };
      if (me === 'account') {
        const from = tx.get('accounts', t.from);
        if (!from || !tx.get('accounts', t.to)) return { vote: 'NO', reason: 'UNKNOWN_ACCOUNT' };
        if (tx.get('locks', t.from) || tx.get('locks', t.to)) return { vote: 'NO', reason: 'LOCKED' };
        if (from.balance < t.amount) return { vote: 'NO', reason: 'INSUFFICIENT_FUNDS' };
        tx.insert('locks', { id: t.from, txId: t.txId });
        tx.insert('locks', { id: t.to, txId: t.txId });
      }
      tx.insert('txs', { id: t.txId, state: 'PREPARED', request: t, coordinator: meta.from } satisfies TxState);
      return { vote: 'YES' };
    }).catch((e): Vote => {
      // Another transfer took a lock between our read and our commit.
      if (isUniqueViolation(e)) return { vote: 'NO', reason: 'LOCKED' };
      throw e;
    });
    if (vote.vote === 'YES') watch(t.txId);
    return vote;
  });

  ctx.handle('commit', async (p: DecisionRequest) => {
    await resolve(String(p?.txId), 'COMMIT');
    return { ok: true };
  });
  ctx.handle('abort', async (p: DecisionRequest) => {
    await resolve(String(p?.txId), 'ABORT');
    return { ok: true };
  });
}

/**
 * Exercise-provided services of the 2PC transfer: the client (bank tellers that
 * submit transfers and record every reply they get), and a saga version of the
 * same transfer that runs next to the learner's 2PC in two scenarios so the
 * report can put both side by side (messages, locks, availability). They use
 * only the public ServiceContext API, exactly like the learner's code.
 */
import type { Json, Row, ServiceDefinition } from '../../src/sim/types.ts';
import type { TransferRequest } from './types.ts';

export type { TransferRequest } from './types.ts';

/** Balances before every run (account ids 1, 2, 3). */
export const INITIAL_BALANCES: Readonly<Record<number, number>> = { 1: 1000, 2: 500, 3: 200 };

export function initialAccounts(): Row[] {
  return Object.entries(INITIAL_BALANCES).map(([id, balance]) => ({ id: Number(id), balance }));
}

/** How long the client waits for one `transfer` reply, and pauses before asking again. */
export const ATTEMPT_TIMEOUT_MS = 1000;
export const RETRY_PAUSE_MS = 300;
export const PROBE_PAUSE_MS = 250;
/** A `retry` submission keeps asking (same txId) for this long before it gives up. */
export const RETRY_WINDOW_MS = 8000;

/**
 * One transfer the client submits.
 * - `retry`: ask `via` until the reply is COMMITTED or ABORTED, always with the same txId (timeouts and PENDING are retried);
 * - `once`: ask once and record whatever comes back (a reply or a timeout);
 * - `probe`: try the transfer with fresh txIds `<txId>.1`, `<txId>.2`, … (one attempt each) until one is COMMITTED or `until` passes.
 * `then`: a submission started as soon as this one is finished (its `at` counts from then).
 */
export interface Submission {
  at: number;
  via: string;
  request: TransferRequest;
  mode: 'retry' | 'once' | 'probe';
  until?: number;
  then?: Submission;
}

export type ReplyStatus = 'COMMITTED' | 'ABORTED' | 'PENDING' | 'TIMEOUT' | 'ERROR' | 'MALFORMED';

/** One attempt of a submission (in its `outcomes` row). */
export interface ReplyRow {
  /** The submission (its first txId); probes share it across attempts. */
  submission: string;
  txId: string;
  via: string;
  attempt: number;
  sentAt: number;
  at: number;
  status: ReplyStatus;
  reason: string | null;
}

/** A row of the client's `outcomes` table: one per submission, written when it is finished, with every reply it got. */
export interface OutcomeRow {
  /** The submission's first txId. */
  id: string;
  /** The txId that decided it (for probes: the committed attempt's). */
  txId: string;
  status: ReplyStatus;
  startedAt: number;
  decidedAt: number;
  attempts: number;
  replies: ReplyRow[];
}

/** Reads a learner's reply defensively: only the prescribed statuses count, reasons are short strings. */
export function readReply(r: unknown): { status: ReplyStatus; reason: string | null } {
  if (r === null || typeof r !== 'object') return { status: 'MALFORMED', reason: null };
  const o = r as { status?: unknown; reason?: unknown };
  const status = o.status === 'COMMITTED' || o.status === 'ABORTED' || o.status === 'PENDING' ? o.status : 'MALFORMED';
  const reason = typeof o.reason === 'string' ? o.reason.slice(0, 40) : null;
  return { status, reason };
}

const decided = (s: ReplyStatus) => s === 'COMMITTED' || s === 'ABORTED';

/** The tellers: submit the transfers and record, per submission, its end and every reply it got (`outcomes`). */
export function clientService(name: string, submissions: readonly Submission[]): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable('outcomes');
      const run = async (sub: Submission): Promise<void> => {
        if (sub.at > 0) await ctx.sleep(sub.at);
        const startedAt = ctx.now();
        const replies: ReplyRow[] = [];
        const attempt = async (txId: string): Promise<ReplyStatus> => {
          const sentAt = ctx.now();
          let reply: { status: ReplyStatus; reason: string | null };
          try {
            reply = readReply(await ctx.call(sub.via, 'transfer', { ...sub.request, txId }, { timeoutMs: ATTEMPT_TIMEOUT_MS }));
          } catch (e) {
            const timeout = e instanceof Error && e.name === 'RpcTimeout';
            reply = { status: timeout ? 'TIMEOUT' : 'ERROR', reason: e instanceof Error ? e.name.slice(0, 40) : null };
          }
          replies.push({ submission: sub.request.txId, txId, via: sub.via, attempt: replies.length + 1, sentAt, at: ctx.now(), status: reply.status, reason: reply.reason });
          return reply.status;
        };
        let txId = sub.request.txId;
        let status: ReplyStatus = 'TIMEOUT';
        if (sub.mode === 'once') status = await attempt(txId);
        else if (sub.mode === 'retry') {
          while (ctx.now() - startedAt < RETRY_WINDOW_MS) {
            status = await attempt(txId);
            if (decided(status)) break;
            await ctx.sleep(RETRY_PAUSE_MS);
          }
        } else {
          while (ctx.now() <= (sub.until ?? Infinity)) {
            txId = `${sub.request.txId}.${replies.length + 1}`;
            status = await attempt(txId);
            if (status === 'COMMITTED') break;
            await ctx.sleep(PROBE_PAUSE_MS);
          }
        }
        const row: OutcomeRow = { id: sub.request.txId, txId, status, startedAt, decidedAt: ctx.now(), attempts: replies.length, replies };
        await ctx.db.put('outcomes', row as unknown as Row);
        if (sub.then) await run(sub.then);
      };
      // The client keeps its work in memory: no scenario crashes or restarts it.
      if (ctx.incarnation === 1) for (const sub of submissions) void run(sub).catch((e) => ctx.log.error('client', String(e)));
    },
  };
}

// ---------------------------------------------------------------------------
// The saga version of the same transfer (for comparison only, never graded)
// ---------------------------------------------------------------------------

export const SAGA_ACCOUNT = 'saga-account';
export const SAGA_PAYMENT = 'saga-payment';
export const SAGA_AUDIT = 'saga-audit';
export const SAGA_NODES = ['saga', 'saga-2', SAGA_ACCOUNT, SAGA_PAYMENT, SAGA_AUDIT];

function transferOf(p: unknown): TransferRequest {
  const o = (p ?? {}) as Record<string, unknown>;
  return { txId: String(o.txId), from: Number(o.from), to: Number(o.to), amount: Number(o.amount) };
}

/** Account of the saga: `debit` moves the money at once in one local transaction (idempotent per txId); no locks are held. */
function sagaAccount(): ServiceDefinition {
  return {
    name: SAGA_ACCOUNT,
    start(ctx) {
      ctx.db.createTable('transactions');
      ctx.handle('debit', (p) => {
        const t = transferOf(p);
        return ctx.db.transaction((tx) => {
          if (tx.get('transactions', t.txId)) return { ok: true };
          const from = tx.get('accounts', t.from);
          const to = tx.get('accounts', t.to);
          if (!from || !to) return { ok: false, reason: 'UNKNOWN_ACCOUNT' };
          if (from.balance < t.amount) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
          tx.update('accounts', t.from, { balance: from.balance - t.amount });
          tx.update('accounts', t.to, { balance: to.balance + t.amount });
          tx.insert('transactions', { id: t.txId, ...t, at: ctx.now() });
          return { ok: true };
        });
      });
    },
  };
}

/** Payment and audit of the saga: record the transfer once (idempotent per txId). */
function sagaRecorder(name: string, method: string, table: string): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable(table);
      ctx.handle(method, async (p) => {
        const t = transferOf(p);
        if (!ctx.db.get(table, t.txId)) await ctx.db.put(table, { id: t.txId, ...t, at: ctx.now() });
        return { ok: true };
      });
    },
  };
}

const SAGA_STEPS: ReadonlyArray<[string, string]> = [
  [SAGA_ACCOUNT, 'debit'],
  [SAGA_PAYMENT, 'record'],
  [SAGA_AUDIT, 'log'],
];

/**
 * The saga orchestrator: stores the saga, then runs account → payment → audit,
 * each a local transaction committed at once; after a restart it resumes
 * unfinished sagas. Only the first step can refuse (then nothing is left to
 * compensate); the later ones are retried until they succeed.
 */
function sagaOrchestrator(name: string): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable('sagas');
      const running = new Map<string, Promise<void>>();
      const drive = async (id: string): Promise<void> => {
        for (;;) {
          const s = ctx.db.get('sagas', id)!;
          if (s.status !== 'RUNNING') return;
          const [to, method] = SAGA_STEPS[s.step as number]!;
          let r: { ok?: boolean; reason?: string };
          try {
            r = (await ctx.call(to, method, s.request, { timeoutMs: 200 })) ?? {};
          } catch {
            await ctx.sleep(100);
            continue;
          }
          const next = r.ok ? { step: (s.step as number) + 1, status: (s.step as number) + 1 === SAGA_STEPS.length ? 'COMMITTED' : 'RUNNING' } : { status: 'ABORTED', reason: r.reason ?? 'REFUSED' };
          await ctx.db.update('sagas', id, next);
        }
      };
      const run = (id: string) => {
        let p = running.get(id);
        if (!p) {
          p = drive(id).finally(() => running.delete(id));
          running.set(id, p);
        }
        return p;
      };
      for (const s of ctx.db.scan<Row>('sagas', (r) => r.status === 'RUNNING')) void run(String(s.id));
      ctx.handle('transfer', async (p) => {
        const t = transferOf(p);
        if (!ctx.db.get('sagas', t.txId)) await ctx.db.insert('sagas', { id: t.txId, request: t as unknown as Json, step: 0, status: 'RUNNING', reason: null });
        await Promise.race([run(t.txId), ctx.sleep(800)]);
        const s = ctx.db.get('sagas', t.txId)!;
        return s.status === 'RUNNING' ? { status: 'PENDING' } : s.status === 'COMMITTED' ? { status: 'COMMITTED' } : { status: 'ABORTED', reason: s.reason };
      });
    },
  };
}

/** The saga world: orchestrators `saga`, `saga-2`, participants, and its own client running the same script. */
export function sagaWorld(submissions: readonly Submission[]): ServiceDefinition[] {
  const rename = (s: Submission): Submission => ({ ...s, via: s.via === 'coordinator' ? 'saga' : 'saga-2', ...(s.then ? { then: rename(s.then) } : {}) });
  return [
    sagaOrchestrator('saga'),
    sagaOrchestrator('saga-2'),
    sagaAccount(),
    sagaRecorder(SAGA_PAYMENT, 'record', 'payments'),
    sagaRecorder(SAGA_AUDIT, 'log', 'audit_log'),
    clientService('saga-client', submissions.map(rename)),
  ];
}

/**
 * What the checks of "two-phase-commit-transfer" judge, read from a run's
 * final rows, change logs and the client's record of the replies it got:
 * atomicity per transfer (all three participants or none, exactly once, never
 * applied and then undone), money conserved, replies that agree with the
 * effects, liveness, and the measurements the report shows (messages, how long
 * account 1 was locked).
 */
import type { Json, Row } from '../../src/sim/types.ts';
import type { ChangeRecord, Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { INITIAL_BALANCES, type OutcomeRow, type ReplyRow, type Submission } from './services.ts';
import type { TransferRequest } from './types.ts';

export const PARTICIPANTS = ['account', 'payment', 'audit'] as const;
export const COORDINATORS = ['coordinator', 'coordinator-2'] as const;
/** Participant → the table holding one row per committed transfer. */
export const EFFECT_TABLE: Record<(typeof PARTICIPANTS)[number], string> = { account: 'transactions', payment: 'payments', audit: 'audit_log' };

export const C = (ru: string, en: string): Localized => ({ ru, en });
export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
export const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : NaN);
/** A learner-controlled value shown in a message: short and printable. */
export const show = (x: unknown): string => {
  let s: string;
  try {
    s = typeof x === 'string' ? x : JSON.stringify(x) ?? String(x);
  } catch {
    s = '?';
  }
  s = s.replace(/[^\x20-\x7e\u0400-\u04ff]/g, '?');
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};
export const ms = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** What a scenario's `data` says about the workload. */
export interface Workload {
  /** Every submission, flattened (`then` chains included), in script order. */
  submissions: Array<Omit<Submission, 'then'>>;
}

export function workload(run: RunOutcome): Workload {
  return ((run.data ?? { submissions: [] }) as unknown) as Workload;
}

export function flatten(subs: readonly Submission[]): Json {
  const out: Array<Omit<Submission, 'then'>> = [];
  const walk = (s: Submission) => {
    const { then, ...rest } = s;
    out.push(rest);
    if (then) walk(then);
  };
  subs.forEach(walk);
  return { submissions: out } as unknown as Json;
}

// ---------------------------------------------------------------------------
// Facts of one run
// ---------------------------------------------------------------------------

export interface Effect {
  rows: Row[];
  /** Commit time of the row's first insert (change log). */
  at: number;
}

export interface Facts {
  /** txId → the transfer the client asked for (probe attempts included). */
  asked: Map<string, TransferRequest>;
  replies: ReplyRow[];
  outcomes: Map<string, OutcomeRow>;
  /** participant → txId → its rows in the effect table. */
  effects: Record<(typeof PARTICIPANTS)[number], Map<string, Effect>>;
  balances: Map<number, unknown>;
}

function effectsOf(run: RunOutcome, service: (typeof PARTICIPANTS)[number]): Map<string, Effect> {
  const table = EFFECT_TABLE[service];
  const firstInsert = new Map<string, number>();
  for (const c of run.changes(service)) {
    if (c.table === table && c.op === 'insert' && c.after && typeof c.after.txId === 'string' && !firstInsert.has(c.after.txId)) firstInsert.set(c.after.txId, c.at);
  }
  const m = new Map<string, Effect>();
  for (const r of run.rows(service, table)) {
    const id = typeof r.txId === 'string' ? r.txId : show(r.txId);
    const e = m.get(id) ?? { rows: [], at: firstInsert.get(id) ?? NaN };
    e.rows.push(r);
    m.set(id, e);
  }
  return m;
}

const factCache = new WeakMap<RunOutcome, Facts>();

/** What a client recorded: one row per submission, with its replies. */
export function clientOutcomes(run: RunOutcome, client: string): Map<string, OutcomeRow> {
  return new Map((run.rows(client, 'outcomes') as unknown as OutcomeRow[]).map((o) => [o.id, o]));
}

/** The learner's side of a run: what the client asked and heard, and what the participants applied. */
export function facts(run: RunOutcome): Facts {
  const cached = factCache.get(run);
  if (cached) return cached;
  const client = 'client';
  const outcomes = run.rows(client, 'outcomes') as unknown as OutcomeRow[];
  const replies = outcomes.flatMap((o) => (Array.isArray(o.replies) ? o.replies : []));
  const asked = new Map<string, TransferRequest>();
  const byBase = new Map(workload(run).submissions.map((s) => [s.request.txId, s.request]));
  for (const r of replies) {
    const base = byBase.get(r.submission);
    if (base) asked.set(r.txId, { ...base, txId: r.txId });
  }
  const f: Facts = {
    asked,
    replies,
    outcomes: new Map(outcomes.map((o) => [o.id, o])),
    effects: { account: effectsOf(run, 'account'), payment: effectsOf(run, 'payment'), audit: effectsOf(run, 'audit') },
    balances: new Map(run.rows('account', 'accounts').map((r) => [num(r.id), r.balance])),
  };
  factCache.set(run, f);
  return f;
}

export const committed = (f: Facts, txId: string): boolean => f.effects.account.has(txId);

// ---------------------------------------------------------------------------
// Safety: atomicity, exactly once, conservation, replies
// ---------------------------------------------------------------------------

const WHERE: Record<string, Localized> = {
  account: C('account (таблица transactions)', 'account (table transactions)'),
  payment: C('payment (таблица payments)', 'payment (table payments)'),
  audit: C('audit (таблица audit_log)', 'audit (table audit_log)'),
};

/** Each committed transfer: one row per participant, with the transfer's fields; no row for a transfer nobody asked for. */
function rowsExactlyOnce(f: Facts): Violation | null {
  for (const p of PARTICIPANTS) {
    for (const [txId, e] of f.effects[p]) {
      const at = Number.isNaN(e.at) ? undefined : e.at;
      const req = f.asked.get(txId);
      if (!req)
        return v(
          `В ${WHERE[p]!.ru} есть строка перевода ${show(txId)}, которого клиент не просил. Строка пишется только при фиксации перевода, с его txId.`,
          `${WHERE[p]!.en} holds a row of transfer ${show(txId)} that the client never asked for. A row is written only when a transfer commits, with its txId.`,
          at,
        );
      if (e.rows.length > 1)
        return v(
          `Перевод ${show(txId)} применён в ${WHERE[p]!.ru} ${e.rows.length} раза. Повторный commit (дубликат, повтор координатора) не должен применять перевод снова.`,
          `Transfer ${show(txId)} was applied ${e.rows.length} times at ${WHERE[p]!.en}. A repeated commit (duplicate, coordinator retry) must not apply it again.`,
          at,
        );
      const r = e.rows[0]!;
      if (r.from !== req.from || r.to !== req.to || r.amount !== req.amount)
        return v(
          `Строка перевода ${show(txId)} в ${WHERE[p]!.ru}: from=${show(r.from)}, to=${show(r.to)}, amount=${show(r.amount)}, а перевод был ${req.from} → ${req.to} на ${req.amount}.`,
          `The row of transfer ${show(txId)} at ${WHERE[p]!.en} says from=${show(r.from)}, to=${show(r.to)}, amount=${show(r.amount)}, but the transfer was ${req.from} → ${req.to}, ${req.amount}.`,
          at,
        );
    }
  }
  return null;
}

/** All or nothing: a transfer is in all three effect tables or in none. */
function allOrNothing(f: Facts): Violation | null {
  const ids = new Set<string>();
  for (const p of PARTICIPANTS) for (const id of f.effects[p].keys()) ids.add(id);
  for (const txId of ids) {
    const at = PARTICIPANTS.filter((p) => f.effects[p].has(txId));
    if (at.length === PARTICIPANTS.length) continue;
    const missing = PARTICIPANTS.filter((p) => !f.effects[p].has(txId));
    const t = Math.min(...at.map((p) => f.effects[p].get(txId)!.at).filter((x) => !Number.isNaN(x)));
    return v(
      `Атомарность нарушена: перевод ${show(txId)} применён в ${at.join(', ')}, но не в ${missing.join(', ')}. Либо все участники выполняют перевод, либо ни один.`,
      `Atomicity violated: transfer ${show(txId)} was applied at ${at.join(', ')} but not at ${missing.join(', ')}. Either every participant applies a transfer or none does.`,
      Number.isFinite(t) ? t : undefined,
    );
  }
  return null;
}

/** Balances: only committed transfers move money, nothing is created or lost, nobody goes below zero. */
function balancesAdd(f: Facts): Violation | null {
  const want = new Map(Object.entries(INITIAL_BALANCES).map(([id, b]) => [Number(id), b]));
  for (const [, e] of f.effects.account) {
    const r = e.rows[0]!;
    if (want.has(r.from) && want.has(r.to) && typeof r.amount === 'number') {
      want.set(r.from, want.get(r.from)! - r.amount);
      want.set(r.to, want.get(r.to)! + r.amount);
    }
  }
  for (const [id, b] of want) {
    const got = f.balances.get(id);
    if (got !== b)
      return v(
        `Баланс счёта ${id} = ${show(got)}, а по зафиксированным переводам (account.transactions) должен быть ${b}. Балансы меняются только при commit, вместе со строкой transactions, в одной локальной транзакции.`,
        `Account ${id} has balance ${show(got)}, but the committed transfers (account.transactions) give ${b}. Balances change only at commit, together with the transactions row, in one local transaction.`,
      );
    if (b < 0) return v(`Баланс счёта ${id} отрицательный: ${b}.`, `Account ${id} has a negative balance: ${b}.`);
  }
  return null;
}

/**
 * From the change logs: effects of a transfer appear once, at commit, and are
 * never undone (2PC applies nothing before the decision, so it has nothing to
 * roll back); a balance changes only in a local transaction that also inserts
 * that transfer's `transactions` row, by exactly its amount.
 */
function neverUndone(run: RunOutcome, f: Facts): Violation | null {
  for (const p of PARTICIPANTS) {
    const table = EFFECT_TABLE[p];
    for (const c of run.changes(p)) {
      if (c.table === table && c.op === 'delete')
        return v(
          `В ${WHERE[p]!.ru} строка перевода ${show(c.before?.txId)} удалена в t=${ms(c.at)}. В 2PC ничего не применяется до решения координатора, поэтому и откатывать нечего: строки пишутся только при commit и не удаляются.`,
          `A row of transfer ${show(c.before?.txId)} was deleted from ${WHERE[p]!.en} at t=${ms(c.at)}. In 2PC nothing is applied before the coordinator's decision, so nothing is ever undone: rows are written at commit and never deleted.`,
          c.at,
        );
    }
  }
  const byCommit = new Map<number, ChangeRecord[]>();
  for (const c of run.changes('account')) {
    if (c.txId === 0) continue; // the accounts as they were before the run
    const list = byCommit.get(c.txId) ?? [];
    list.push(c);
    byCommit.set(c.txId, list);
  }
  for (const list of byCommit.values()) {
    const delta = new Map<number, number>();
    for (const c of list) {
      if (c.table !== 'accounts') continue;
      const d = num(c.after?.balance) - num(c.before?.balance);
      if (d !== 0) delta.set(num(c.key), (delta.get(num(c.key)) ?? 0) + d);
    }
    const inserted = list.filter((c) => c.table === 'transactions' && c.op === 'insert').map((c) => c.after!);
    if (delta.size === 0 && inserted.length === 0) continue;
    const at = list[0]!.at;
    const t = inserted.length === 1 ? f.asked.get(String(inserted[0]!.txId)) : undefined;
    const expected = t ? new Map([[t.from, -t.amount], [t.to, t.amount]]) : undefined;
    const same = expected !== undefined && delta.size === expected.size && [...expected].every(([id, d]) => delta.get(id) === d);
    if (!same)
      return v(
        `В t=${ms(at)} account изменил балансы (${[...delta].map(([id, d]) => `счёт ${id}: ${d > 0 ? '+' : ''}${ms(d)}`).join(', ') || 'без изменений'}) в локальной транзакции, которая ${inserted.length === 1 ? `добавила строку transactions перевода ${show(inserted[0]!.txId)}` : `добавила строк transactions: ${inserted.length}`}. Перевод применяется одной локальной транзакцией: −amount у from, +amount у to и ровно одна строка transactions.`,
        `At t=${ms(at)} account changed balances (${[...delta].map(([id, d]) => `account ${id}: ${d > 0 ? '+' : ''}${ms(d)}`).join(', ') || 'none'}) in a local transaction that ${inserted.length === 1 ? `inserted the transactions row of ${show(inserted[0]!.txId)}` : `inserted ${inserted.length} transactions rows`}. A transfer is applied by one local transaction: −amount on from, +amount on to, and exactly one transactions row.`,
        at,
      );
  }
  return null;
}

/** Every COMMITTED/ABORTED the client got matches the effects, and a txId never gets both. */
function repliesAgree(f: Facts): Violation | null {
  const seen = new Map<string, ReplyRow>();
  for (const r of f.replies) {
    if (r.status !== 'COMMITTED' && r.status !== 'ABORTED') continue;
    const prev = seen.get(r.txId);
    if (prev && prev.status !== r.status)
      return v(
        `Клиент получил для перевода ${show(r.txId)} сначала ${prev.status} (t=${ms(prev.at)}), потом ${r.status} (t=${ms(r.at)}). Решение окончательно: повтор запроса с тем же txId должен получить тот же ответ.`,
        `For transfer ${show(r.txId)} the client got ${prev.status} (t=${ms(prev.at)}) and later ${r.status} (t=${ms(r.at)}). A decision is final: a retry with the same txId must get the same answer.`,
        r.at,
      );
    seen.set(r.txId, r);
    if (r.status === 'COMMITTED' && !committed(f, r.txId))
      return v(
        `Координатор ответил COMMITTED на перевод ${show(r.txId)} (t=${ms(r.at)}), но account его так и не применил.`,
        `The coordinator answered COMMITTED for transfer ${show(r.txId)} (t=${ms(r.at)}), but account never applied it.`,
        r.at,
      );
    if (r.status === 'ABORTED' && committed(f, r.txId))
      return v(
        `Координатор ответил ABORTED на перевод ${show(r.txId)} (t=${ms(r.at)}), но перевод применён.`,
        `The coordinator answered ABORTED for transfer ${show(r.txId)} (t=${ms(r.at)}), yet the transfer was applied.`,
        r.at,
      );
  }
  return null;
}

/** The safety properties every run must keep. */
export function atomicity(run: RunOutcome): Violation | null {
  const f = facts(run);
  return rowsExactlyOnce(f) ?? allOrNothing(f) ?? neverUndone(run, f) ?? balancesAdd(f) ?? repliesAgree(f);
}

// ---------------------------------------------------------------------------
// Scenario helpers
// ---------------------------------------------------------------------------

export function outcome(run: RunOutcome, id: string): OutcomeRow | undefined {
  return facts(run).outcomes.get(id);
}

export function repliesOf(run: RunOutcome, submission: string): ReplyRow[] {
  return facts(run).outcomes.get(submission)?.replies ?? [];
}

/** The submission was decided (COMMITTED or ABORTED) as `want` says. */
export function expectOutcome(run: RunOutcome, id: string, want: 'COMMITTED' | 'ABORTED', why: Localized): Violation | null {
  const o = outcome(run, id);
  const last = repliesOf(run, id).at(-1);
  if (!o || (o.status !== 'COMMITTED' && o.status !== 'ABORTED'))
    return v(
      `Перевод ${id}: клиент так и не получил решения (COMMITTED или ABORTED), последний ответ: ${last ? last.status : 'нет'}${last?.at !== undefined ? ` в t=${ms(last.at)}` : ''}. Координатор должен решить и ответить; повтор с тем же txId должен получить решение.`,
      `Transfer ${id}: the client never got a decision (COMMITTED or ABORTED); the last reply was ${last ? last.status : 'none'}${last?.at !== undefined ? ` at t=${ms(last.at)}` : ''}. The coordinator must decide and answer; a retry with the same txId must get the decision.`,
      last?.at ?? run.now,
    );
  if (o.status !== want)
    return v(
      `Перевод ${id}: ожидался ${want} (${why.ru}), а клиент получил ${o.status} в t=${ms(o.decidedAt)}${last?.reason ? ` (reason: ${show(last.reason)})` : ''}.`,
      `Transfer ${id}: expected ${want} (${why.en}), but the client got ${o.status} at t=${ms(o.decidedAt)}${last?.reason ? ` (reason: ${show(last.reason)})` : ''}.`,
      o.decidedAt,
    );
  return null;
}

/** The transfer is applied at every participant (with `within`: no later than that time). */
export function appliedEverywhere(run: RunOutcome, txId: string, within?: { by: number; why: Localized }): Violation | null {
  const f = facts(run);
  const missing = PARTICIPANTS.filter((p) => !f.effects[p].has(txId));
  if (missing.length > 0)
    return v(
      `Перевод ${txId} не применён в ${missing.join(', ')} (нет строки в ${missing.map((p) => EFFECT_TABLE[p]).join(', ')}).`,
      `Transfer ${txId} was not applied at ${missing.join(', ')} (no row in ${missing.map((p) => EFFECT_TABLE[p]).join(', ')}).`,
      run.now,
    );
  if (within) {
    const last = Math.max(...PARTICIPANTS.map((p) => f.effects[p].get(txId)!.at));
    if (last > within.by)
      return v(
        `Перевод ${txId} применён везде только к t=${ms(last)}, позже t=${ms(within.by)} (${within.why.ru}).`,
        `Transfer ${txId} was applied everywhere only by t=${ms(last)}, later than t=${ms(within.by)} (${within.why.en}).`,
        last,
      );
  }
  return null;
}

/** The transfer never left a trace at any participant (not even one that was later removed). */
export function neverApplied(run: RunOutcome, txId: string): Violation | null {
  for (const p of PARTICIPANTS) {
    const c = run.changes(p).find((x) => x.table === EFFECT_TABLE[p] && x.after !== null && x.after.txId === txId);
    if (c)
      return v(
        `Перевод ${txId} должен быть отменён везде, но ${p} записал его в ${EFFECT_TABLE[p]} в t=${ms(c.at)}. До решения COMMIT участник ничего не применяет.`,
        `Transfer ${txId} must be aborted everywhere, yet ${p} wrote it to ${EFFECT_TABLE[p]} at t=${ms(c.at)}. A participant applies nothing before the COMMIT decision.`,
        c.at,
      );
  }
  return null;
}

/** The crash point of a scenario fired (else the scenario did not happen as designed). */
export function firedAt(run: RunOutcome, service: string): number | undefined {
  const f = run.faults.find((x) => x.kind === 'crash-after' && x.service === service);
  return f && f.kind === 'crash-after' ? f.firedAt : undefined;
}

// ---------------------------------------------------------------------------
// Measurements for the report (informational)
// ---------------------------------------------------------------------------

/** Messages put on the wire between the nodes of `group` (requests, replies, one-way messages). */
export function messagesAmong(run: RunOutcome, group: readonly string[]): number {
  const g = new Set(group);
  let n = 0;
  for (const e of run.traceOf('send')) if (e.service && e.peer && g.has(e.service) && g.has(e.peer)) n++;
  return n;
}

/** Time `service` sent its YES vote for `txId` (its reply to `prepare`), from the trace. */
export function yesVoteAt(run: RunOutcome, service: string, txId: string): number | undefined {
  const sends = run.traceOf('send');
  const asked = new Set<number>();
  for (const e of sends) {
    const d = e.data as { id: number; kind?: string; type?: string; payload?: { txId?: unknown } };
    if (e.peer === service && d.kind === 'request' && d.type === 'prepare' && d.payload?.txId === txId) asked.add(d.id);
  }
  for (const e of sends) {
    const d = e.data as { kind?: string; corr?: number; payload?: { ok?: boolean; value?: { vote?: unknown } } };
    if (e.service === service && d.kind === 'response' && d.corr !== undefined && asked.has(d.corr) && d.payload?.ok && d.payload.value?.vote === 'YES') return e.t;
  }
  return undefined;
}

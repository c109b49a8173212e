/**
 * The properties the event-store checks evaluate, read from the final state
 * (streams, snapshots, the clients' recorded replies) and the trace (what each
 * append asked for and what the store answered). Each violation says what is
 * wrong in both languages and when, which selects the trace slice.
 */
import type { Json, Row } from '../../src/sim/types.ts';
import type { Localized, RunOutcome, Violation } from '../../src/grading/types.ts';

export const C = (ru: string, en: string): Localized => ({ ru, en });
export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
export const num = (x: unknown) => (typeof x === 'number' ? x : NaN);

// ---------------------------------------------------------------------------
// Reading the final state and the trace
// ---------------------------------------------------------------------------

export interface Result {
  delivered: boolean;
  value: any;
  error: string | null;
  at: number;
}

export function results(run: RunOutcome, service = 'client'): Map<string, Result> {
  return new Map(run.rows(service, 'results').map((r) => [String(r.id), r as unknown as Result]));
}

/** Final state and trace are fixed once a run ended: derived views are computed once per run. */
function once<T>(compute: (run: RunOutcome) => T): (run: RunOutcome) => T {
  const cache = new WeakMap<RunOutcome, T>();
  return (run) => {
    if (!cache.has(run)) cache.set(run, compute(run));
    return cache.get(run)!;
  };
}

/** Each stream's events by ascending version (shared, read-only). */
export const streams = once((run: RunOutcome): Map<string, Row[]> => {
  const m = new Map<string, Row[]>();
  for (const e of run.rows('event-store', 'events')) {
    const id = String(e.aggregateId);
    if (!m.has(id)) m.set(id, []);
    m.get(id)!.push(e);
  }
  for (const list of m.values()) list.sort((a, b) => num(a.version) - num(b.version));
  return m;
});

export interface OrderState {
  status: string;
  items: Array<{ productId: string; quantity: number; price: number }>;
  totalAmount: number;
}

/** The grader's own fold of an Order stream (the course's apply_event). */
export function replay(events: Row[]): OrderState {
  const s: OrderState = { status: 'CREATED', items: [], totalAmount: 0 };
  for (const e of events) {
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (e.type === 'ItemAdded') {
      s.items.push({ productId: String(d.productId), quantity: num(d.quantity), price: num(d.price) });
      s.totalAmount += num(d.quantity) * num(d.price);
    } else if (e.type === 'OrderConfirmed') s.status = 'CONFIRMED';
  }
  return s;
}

export const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

/** Differences between a state the learner produced and the replayed truth ('' when equal). */
export function diff(got: unknown, want: OrderState): string {
  if (!got || typeof got !== 'object') return `got ${JSON.stringify(got)}`;
  const g = got as Record<string, unknown>;
  if (g.status !== want.status) return `status ${String(g.status)} ≠ ${want.status}`;
  if (!close(num(g.totalAmount), want.totalAmount)) return `totalAmount ${String(g.totalAmount)} ≠ ${want.totalAmount}`;
  const items = Array.isArray(g.items) ? (g.items as Array<Record<string, unknown>>) : null;
  if (!items) return 'items is not an array';
  if (items.length !== want.items.length) return `${items.length} items ≠ ${want.items.length}`;
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    const b = want.items[i]!;
    if (a.productId !== b.productId || a.quantity !== b.quantity || !close(num(a.price), b.price)) return `item ${i + 1} ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  }
  return '';
}


/** One append as the store saw it: the request (from the trace) and the store's reply, if it sent one. */
export interface AppendExchange {
  from: string;
  sentAt: number;
  aggregateId: string;
  expectedVersion: number;
  events: Array<{ type: unknown; data: unknown }>;
  /** The store's reply value (`{ ok, version }` / `{ ok: false, error, currentVersion }`), or undefined (none, or an error reply). */
  reply: Record<string, unknown> | undefined;
  repliedAt: number | undefined;
}

/** Every append request sent to the event store, with the store's reply (matched by correlation id). */
export const appendExchanges = once((run: RunOutcome): AppendExchange[] => {
  const byId = new Map<number, AppendExchange>();
  const out: AppendExchange[] = [];
  for (const e of run.traceOf('send')) {
    const d = e.data as { id?: number; kind?: string; type?: string; payload?: unknown; corr?: number } | undefined;
    if (d?.type !== 'append') continue;
    if (d.kind === 'request' && e.peer === 'event-store') {
      const p = (d.payload ?? {}) as { aggregateId?: unknown; expectedVersion?: unknown; events?: unknown };
      const x: AppendExchange = {
        from: e.service ?? '',
        sentAt: e.t,
        aggregateId: String(p.aggregateId),
        expectedVersion: num(p.expectedVersion),
        events: Array.isArray(p.events) ? (p.events as Array<{ type: unknown; data: unknown }>) : [],
        reply: undefined,
        repliedAt: undefined,
      };
      if (typeof d.id === 'number' && !byId.has(d.id)) byId.set(d.id, x);
      out.push(x);
    } else if (d.kind === 'response' && e.service === 'event-store' && typeof d.corr === 'number') {
      const x = byId.get(d.corr);
      const body = d.payload as { ok?: boolean; value?: unknown } | undefined;
      if (x && x.reply === undefined && body?.ok === true && body.value && typeof body.value === 'object') {
        x.reply = body.value as Record<string, unknown>;
        x.repliedAt = e.t;
      }
    }
  }
  return out;
});

/** Time of the first append request for `aggregateId` that could have written `version` (else its last one). */
export function appendTime(run: RunOutcome, aggregateId: string, version?: number): number | undefined {
  const mine = appendExchanges(run).filter((x) => x.aggregateId === aggregateId);
  const hit = version === undefined ? undefined : mine.find((x) => x.expectedVersion < version && version <= x.expectedVersion + Math.max(1, x.events.length));
  return (hit ?? mine[mine.length - 1])?.sentAt;
}

/** Time of the last saveSnapshot request for `aggregateId` at `version`. */
function snapshotTime(run: RunOutcome, aggregateId: string, version: unknown): number | undefined {
  let t: number | undefined;
  for (const e of run.traceOf('send')) {
    const d = e.data as { kind?: string; type?: string; payload?: { aggregateId?: unknown; version?: unknown } } | undefined;
    if (d?.kind === 'request' && d.type === 'saveSnapshot' && d.payload?.aggregateId === aggregateId && d.payload.version === version) t = e.t;
  }
  return t;
}

const canon = (x: unknown): string => {
  try {
    return JSON.stringify(x, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : 1))) : val)) ?? 'undefined';
  } catch {
    return 'unprintable';
  }
};
const sameEvent = (stored: Row | undefined, sent: { type: unknown; data: unknown }) => stored !== undefined && stored.type === sent.type && canon(stored.data) === canon(sent.data);

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/** Every stream's versions are exactly 1..n. */
export function storeIntegrity(run: RunOutcome): Violation | null {
  for (const [id, list] of streams(run)) {
    for (let i = 0; i < list.length; i++) {
      const ver = list[i]!.version;
      if (ver !== i + 1) {
        const seen = list.map((e) => e.version).join(', ');
        return v(
          `Поток ${id}: версии событий [${seen}], а должны идти 1, 2, 3, … без пропусков и повторов.`,
          `Stream ${id}: event versions are [${seen}]; they must be 1, 2, 3, … with no gaps and no duplicates.`,
          appendTime(run, id, typeof ver === 'number' ? ver : i + 1),
        );
      }
    }
  }
  return null;
}

/** Competing writers: one winner per expected version, and every acknowledged append is durable. */
export function writerAcks(run: RunOutcome, writers: string[]): Violation | null {
  const all = streams(run);
  const wins = new Map<string, string>();
  for (const w of writers) {
    for (const r of run.rows(w, 'results')) {
      if (r.ok !== true) continue;
      const key = `${String(r.streamId)}@${String(r.expectedVersion)}`;
      const other = wins.get(key);
      if (other)
        return v(
          `Два писателя (${other} и ${String(r.token)}) оба получили ok для ожидаемой версии ${String(r.expectedVersion)} потока ${String(r.streamId)}: побеждать должен ровно один, второй — ConcurrencyError.`,
          `Two writers (${other} and ${String(r.token)}) both got ok for expected version ${String(r.expectedVersion)} of stream ${String(r.streamId)}: exactly one must win, the other gets a ConcurrencyError.`,
          num(r.at),
        );
      wins.set(key, String(r.token));
      const ev = (all.get(String(r.streamId)) ?? []).find((e) => e.version === num(r.expectedVersion) + 1);
      const token = ev ? (ev.data as Record<string, unknown> | undefined)?.token : undefined;
      if (token !== r.token && token !== `${String(r.token)}#0`)
        return v(
          `Запись ${String(r.token)} подтверждена (ok, ожидаемая версия ${String(r.expectedVersion)}), но в потоке на версии ${num(r.expectedVersion) + 1} ${ev ? `другое событие (${String(token)})` : 'ничего нет'}. Подтверждайте только записанное.`,
          `Append ${String(r.token)} was acknowledged (ok, expected version ${String(r.expectedVersion)}) but version ${num(r.expectedVersion) + 1} of the stream holds ${ev ? `another event (${String(token)})` : 'nothing'}. Acknowledge only what is stored.`,
          num(r.at),
        );
    }
  }
  return null;
}

/** Order invariants over every Order stream: no items after confirm, no empty confirm, one confirm, right total. */
export function orderInvariants(run: RunOutcome): Violation | null {
  for (const [id, list] of streams(run)) {
    if (list.length === 0 || list[0]!.aggregateType !== 'Order') continue;
    let confirmed = false;
    let items = 0;
    let total = 0;
    for (const e of list) {
      const d = (e.data ?? {}) as Record<string, unknown>;
      if (e.type === 'ItemAdded') {
        if (confirmed)
          return v(
            `Заказ ${id}: ItemAdded (версия ${String(e.version)}) после OrderConfirmed — в подтверждённый заказ нельзя добавлять товары.`,
            `Order ${id}: ItemAdded (version ${String(e.version)}) after OrderConfirmed — a confirmed order takes no more items.`,
            appendTime(run, id, num(e.version)),
          );
        items++;
        total += num(d.quantity) * num(d.price);
      } else if (e.type === 'OrderConfirmed') {
        const at = () => appendTime(run, id, num(e.version));
        if (confirmed) return v(`Заказ ${id}: OrderConfirmed записан дважды.`, `Order ${id}: OrderConfirmed was recorded twice.`, at());
        if (items === 0) return v(`Заказ ${id}: подтверждён пустой заказ.`, `Order ${id}: an empty order was confirmed.`, at());
        if (!close(num(d.totalAmount), total))
          return v(`Заказ ${id}: OrderConfirmed.totalAmount = ${String(d.totalAmount)}, а сумма позиций ${total}.`, `Order ${id}: OrderConfirmed.totalAmount = ${String(d.totalAmount)} but the items sum to ${total}.`, at());
        confirmed = true;
      }
    }
  }
  return null;
}

/** Every snapshot equals the replay of its stream up to the snapshot's version. */
export function snapshotsConsistent(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const s of run.rows('event-store', 'snapshots')) {
    const id = String(s.aggregateId);
    const list = (all.get(id) ?? []).filter((e) => num(e.version) <= num(s.version));
    const at = () => snapshotTime(run, id, s.version);
    if (list.length !== num(s.version))
      return v(`Снимок ${id} имеет версию ${String(s.version)}, а в потоке столько событий нет.`, `Snapshot of ${id} has version ${String(s.version)} but the stream has no such version.`, at());
    const d = diff(s.state, replay(list));
    if (d) return v(`Снимок ${id} (версия ${String(s.version)}) не совпадает с воспроизведением событий 1..${String(s.version)}: ${d}.`, `Snapshot of ${id} (version ${String(s.version)}) differs from replaying events 1..${String(s.version)}: ${d}.`, at());
  }
  return null;
}

/** Every getOrder reply equals the replay of the stream up to the version it reports. */
export function viewsConsistent(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const r of run.rows('client', 'results')) {
    if (r.method !== 'getOrder' || r.delivered !== true || !r.value || typeof r.value !== 'object' || Array.isArray(r.value)) continue;
    const view = r.value as Record<string, Json>;
    if ((view as { ok?: unknown }).ok === false) continue;
    const id = String(view.orderId);
    const ver = num(view.version);
    const list = (all.get(id) ?? []).filter((e) => num(e.version) <= ver);
    if (!(ver >= 0) || list.length !== ver)
      return v(`getOrder(${id}) вернул version ${String(view.version)}, а такой версии в потоке нет.`, `getOrder(${id}) returned version ${String(view.version)}, which the stream does not have.`, num(r.at));
    const d = diff(view, replay(list));
    if (d)
      return v(
        `getOrder(${id}) на версии ${ver} не совпадает с полным воспроизведением событий: ${d}. Снимок + хвост должны давать то же, что и все события.`,
        `getOrder(${id}) at version ${ver} differs from a full replay of the events: ${d}. Snapshot + tail must equal the full replay.`,
        num(r.at),
      );
  }
  return null;
}

export function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service === 'orders' || x.service === 'event-store');
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: string; op?: string };
  return v(
    `Сервис «${e.service}» обратился напрямую к базе данных «${d.owner}» (${d.op}). Orders работает с событиями только через API event-store.`,
    `Service "${e.service}" accessed the database of "${d.owner}" directly (${d.op}). Orders must use the event store's API only.`,
    e.t,
  );
}

export function expectReply(r: Map<string, Result>, label: string, what: Localized, pred: (value: any) => boolean): Violation | null {
  const x = r.get(label);
  if (!x) return v(`Нет ответа на шаг «${label}» (${what.ru}).`, `No reply for step "${label}" (${what.en}).`);
  if (!x.delivered) return v(`Шаг «${label}» (${what.ru}) не удался: ${String(x.error)}.`, `Step "${label}" (${what.en}) failed: ${String(x.error)}.`, x.at);
  if (!pred(x.value))
    return v(`Шаг «${label}»: ожидалось ${what.ru}, получено ${JSON.stringify(x.value)}.`, `Step "${label}": expected ${what.en}, got ${JSON.stringify(x.value)}.`, x.at);
  return null;
}

export const isOk = (val: any) => val && val.ok === true;
export const isRefused = (val: any) => val && val.ok === false;
export const isConflict = (val: any) => val && val.ok === false && val.error === 'ConcurrencyError';

export function first(...xs: Array<() => Violation | null>): Violation | null {
  for (const x of xs) {
    const r = x();
    if (r) return r;
  }
  return null;
}


/**
 * Appends are atomic: the events of one append (tagged `token#i`, `of: n` by the
 * grader's writers and client) are either all stored, at consecutive versions,
 * or none is.
 */
export function appendsAtomic(run: RunOutcome): Violation | null {
  for (const [id, list] of streams(run)) {
    const groups = new Map<string, Row[]>();
    for (const e of list) {
      const d = (e.data ?? {}) as { token?: unknown; of?: unknown };
      if (typeof d.token !== 'string' || typeof d.of !== 'number' || d.of < 2) continue;
      const key = d.token.replace(/#\d+$/, '');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(e);
    }
    for (const [token, evs] of groups) {
      const of = num((evs[0]!.data as { of?: unknown }).of);
      const versions = evs.map((e) => num(e.version));
      const consecutive = versions.every((ver, i) => i === 0 || ver === versions[i - 1]! + 1);
      if (evs.length !== of || !consecutive) {
        const at = appendTime(run, id, versions[0]);
        return v(
          `Поток ${id}: из append ${token} (${of} события) сохранено ${evs.length} на версиях [${versions.join(', ')}]. События одного append пишутся атомарно — в ОДНОЙ транзакции, все или ни одного.`,
          `Stream ${id}: of append ${token} (${of} events), ${evs.length} were stored, at versions [${versions.join(', ')}]. The events of one append are written atomically — in ONE transaction, all or none.`,
          at,
        );
      }
    }
  }
  return null;
}

/**
 * Acknowledgements match the stream: every `{ ok: true, version }` the store sent
 * for an append means its events are stored at expectedVersion+1 … version.
 */
export function acksMatchStream(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const x of appendExchanges(run)) {
    if (x.reply?.ok !== true || x.events.length === 0) continue;
    const list = all.get(x.aggregateId) ?? [];
    const ver = num(x.reply.version);
    const want = x.expectedVersion + x.events.length;
    const stored = x.events.map((_, i) => list.find((e) => e.version === x.expectedVersion + i + 1));
    const ok = ver === want && x.events.every((ev, i) => sameEvent(stored[i], ev));
    if (!ok)
      return v(
        `Хранилище ответило { ok: true, version: ${String(x.reply.version)} } на append от ${x.from} (поток ${x.aggregateId}, expectedVersion ${x.expectedVersion}, событий ${x.events.length}), но в потоке на версиях ${x.expectedVersion + 1}…${want} ${stored.every((e) => e === undefined) ? 'ничего нет' : 'другие события'}. Отвечайте ok только после того, как транзакция зафиксирована; ошибку записи (DatabaseWriteError) нельзя выдавать за успех.`,
        `The store answered { ok: true, version: ${String(x.reply.version)} } to an append from ${x.from} (stream ${x.aggregateId}, expectedVersion ${x.expectedVersion}, ${x.events.length} event(s)), but versions ${x.expectedVersion + 1}…${want} of the stream hold ${stored.every((e) => e === undefined) ? 'nothing' : 'other events'}. Answer ok only once the transaction has committed; a failed write (DatabaseWriteError) is not a success.`,
        x.repliedAt,
      );
  }
  return null;
}

/** A ConcurrencyError reports the stream's real version: never the caller's expectedVersion, never beyond the stream. */
export function conflictsReportVersion(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const x of appendExchanges(run)) {
    if (!x.reply || x.reply.ok !== false || x.reply.error !== 'ConcurrencyError') continue;
    const cur = x.reply.currentVersion;
    const len = (all.get(x.aggregateId) ?? []).length;
    if (typeof cur !== 'number' || cur === x.expectedVersion || cur < 0 || cur > len)
      return v(
        `ConcurrencyError для append от ${x.from} (поток ${x.aggregateId}, expectedVersion ${x.expectedVersion}) сообщил currentVersion ${JSON.stringify(cur)}, а в потоке сейчас ${len} событий. currentVersion — это версия потока, из-за которой append отклонён: после нарушения уникальности перечитайте её.`,
        `The ConcurrencyError for an append from ${x.from} (stream ${x.aggregateId}, expectedVersion ${x.expectedVersion}) reported currentVersion ${JSON.stringify(cur)}; the stream holds ${len} events now. currentVersion is the stream's version that made the append fail: re-read it after a unique violation.`,
        x.repliedAt,
      );
  }
  return null;
}

/**
 * Orders acknowledges only what it stored: an `{ ok: true, version }` reply to
 * addItem/confirm means that event is in the order's stream at that version.
 */
export function commandAcks(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const r of run.rows('client', 'results')) {
    if ((r.method !== 'addItem' && r.method !== 'confirm') || r.delivered !== true) continue;
    const val = r.value as { ok?: unknown; version?: unknown } | null;
    if (!val || val.ok !== true) continue;
    const p = (r.payload ?? {}) as { orderId?: unknown; productId?: unknown };
    const ev = (all.get(String(p.orderId)) ?? []).find((e) => e.version === val.version);
    const d = (ev?.data ?? {}) as { productId?: unknown };
    const matches = r.method === 'confirm' ? ev?.type === 'OrderConfirmed' : ev?.type === 'ItemAdded' && d.productId === p.productId;
    if (!matches)
      return v(
        `orders ответил { ok: true, version: ${String(val.version)} } на ${String(r.method)}(${String(p.orderId)}${r.method === 'addItem' ? `, ${String(p.productId)}` : ''}), но в потоке на этой версии ${ev ? `событие ${String(ev.type)} ${JSON.stringify(ev.data)}` : 'ничего нет'}. Если append не ответил (таймаут), его исход неизвестен: перечитайте поток, а не подтверждайте наугад.`,
        `orders answered { ok: true, version: ${String(val.version)} } to ${String(r.method)}(${String(p.orderId)}${r.method === 'addItem' ? `, ${String(p.productId)}` : ''}), but that version of the stream holds ${ev ? `${String(ev.type)} ${JSON.stringify(ev.data)}` : 'nothing'}. When an append did not answer (timeout) its outcome is unknown: reload the stream instead of acknowledging blindly.`,
        num(r.at),
      );
  }
  return null;
}

/**
 * Every durability property of appends: atomic, acknowledged truthfully, conflicts with the real
 * version, commands acked truthfully. (Once per run: durable-appends and random-faults share it.)
 */
export const durableAppends = once((run: RunOutcome): Violation | null => appendsAtomic(run) ?? acksMatchStream(run) ?? conflictsReportVersion(run) ?? commandAcks(run));

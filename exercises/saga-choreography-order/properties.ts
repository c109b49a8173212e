/**
 * Properties of the choreographed order saga, judged on a finished run's final
 * state, change logs and publish trace. Every value the learner's code wrote
 * (rows, event payloads) is read defensively and shown clipped.
 */
import type { Row } from '../../src/sim/types.ts';
import type { ChangeRecord, Localized, RunOutcome, TraceEvent, Violation } from '../../src/grading/types.ts';
import type { OrderRequest } from './types.ts';

/** The learner's services (the shipping service and the client are provided). */
export const LEARNER_SERVICES = ['order', 'payment', 'inventory'] as const;
export const TERMINAL = ['SHIPPED', 'CANCELLED'] as const;
/** Virtual ms after the last fault (or the order's acceptance) within which every order must be SHIPPED or CANCELLED. */
export const LIVENESS_MS = 5000;

/** How an order must end, as its data decides (EITHER: two orders compete and either may win). */
export type Expected = 'SHIPPED' | 'CANCELLED' | 'EITHER';

export interface PlannedOrder extends OrderRequest {
  expect: Expected;
}

/** The workload of a run, as the checks read it (`ScenarioSetup.data`). */
export interface Workload {
  orders: PlannedOrder[];
  stock: Record<string, number>;
  cards: Record<string, number>;
}

export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });

/** A learner-produced value, bounded and escaped for a message. */
export function shown(x: unknown, max = 80): string {
  let s: string;
  try {
    s = x === undefined ? 'undefined' : JSON.stringify(x) ?? String(x);
  } catch {
    s = Object.prototype.toString.call(x);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : NaN);
const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export function workload(run: RunOutcome): Workload {
  return (run.data ?? { orders: [], stock: {}, cards: {} }) as unknown as Workload;
}

// ---------------------------------------------------------------------------
// Facts about one order, read from the services' committed state
// ---------------------------------------------------------------------------

export interface OrderFacts {
  req: PlannedOrder;
  order: Row | undefined;
  charges: Row[];
  refunds: Row[];
  shipment: Row | undefined;
  submission: Row | undefined;
  /** Changes of this order's row in `orders`, in commit order. */
  history: ChangeRecord[];
}

export const status = (f: OrderFacts): unknown => f.order?.status;
export const isTerminal = (s: unknown): boolean => s === 'SHIPPED' || s === 'CANCELLED';
export const net = (f: OrderFacts): number => f.charges.reduce((s, c) => s + num(c.amount), 0) - f.refunds.reduce((s, r) => s + num(r.amount), 0);

/** Facts of every planned order; computed once per run (checks share them). */
export function facts(run: RunOutcome): OrderFacts[] {
  const cache = factsCache.get(run);
  if (cache) return cache;
  const byId = (rows: Row[]) => {
    const m = new Map<string, Row>();
    for (const r of rows) if (!m.has(String(r.id))) m.set(String(r.id), r);
    return m;
  };
  const orders = byId(run.rows('order', 'orders'));
  const shipments = byId(run.rows('shipping', 'shipments'));
  const subs = byId(run.rows('client', 'submissions'));
  const payments = run.rows('payment', 'payments');
  const history = new Map<string, ChangeRecord[]>();
  for (const c of run.changes('order')) {
    if (c.table !== 'orders') continue;
    const k = String(c.key);
    let list = history.get(k);
    if (!list) history.set(k, (list = []));
    list.push(c);
  }
  const out = workload(run).orders.map((req) => ({
    req,
    order: orders.get(req.orderId),
    charges: payments.filter((p) => p.orderId === req.orderId && p.type === 'CHARGE'),
    refunds: payments.filter((p) => p.orderId === req.orderId && p.type === 'REFUND'),
    shipment: shipments.get(req.orderId),
    submission: subs.get(req.orderId),
    history: history.get(req.orderId) ?? [],
  }));
  factsCache.set(run, out);
  return out;
}
const factsCache = new WeakMap<RunOutcome, OrderFacts[]>();

/** When the order's row first reached a terminal status (from the change log), or NaN. */
export function terminalAt(f: OrderFacts): number {
  const c = f.history.find((h) => h.after !== null && isTerminal(h.after.status));
  return c ? c.at : NaN;
}

/** Time of the first payments row of the order with this type (from the change log), or NaN. */
function paymentAt(run: RunOutcome, orderId: string, type: string): number {
  const c = run.changes('payment').find((x) => x.table === 'payments' && x.op === 'insert' && x.after?.orderId === orderId && x.after?.type === type);
  return c ? c.at : NaN;
}

// ---------------------------------------------------------------------------
// Per-order properties
// ---------------------------------------------------------------------------

/** Liveness: the client's order was accepted and it ended SHIPPED or CANCELLED. */
export function finished(f: OrderFacts, run: RunOutcome): Violation | null {
  const id = f.req.orderId;
  if (f.submission && f.submission.acceptedAt === null)
    return v(
      `Клиент так и не получил {accepted: true} на placeOrder для заказа ${id} (${String(f.submission.attempts)} попыток).`,
      `The client never got {accepted: true} from placeOrder for order ${id} (${String(f.submission.attempts)} attempts).`,
      run.now,
    );
  if (!f.order)
    return v(
      `Заказа ${id} нет в таблице order.orders (строка с id = "${id}").`,
      `Order ${id} is missing from order.orders (a row with id = "${id}").`,
      run.now,
    );
  if (!isTerminal(status(f))) {
    const was = f.history.find((h) => h.after !== null && isTerminal(h.after.status));
    if (was)
      return v(
        `Заказ ${id} был ${shown(was.after!.status)} в t=${was.at}, а в итоге его статус ${shown(status(f))}: запись затёрта (два события заказа обработаны одновременно — lost update?) или событие сдвинуло заказ назад.`,
        `Order ${id} was ${shown(was.after!.status)} at t=${was.at} but ends ${shown(status(f))}: the row was overwritten (two events of the order handled at once — a lost update?) or an event moved it backwards.`,
        run.now,
      );
    const last = published(run).filter((p) => p.payload?.orderId === id).pop();
    const busy = run.reason === 'time-limit' ? { ru: ' Прогон упёрся в предел виртуального времени: обработчик падает на каждой доставке?', en: ' The run hit the virtual time limit: does a handler fail on every delivery?' } : { ru: '', en: '' };
    return v(
      `Заказ ${id} не завершился: статус ${shown(status(f))}, а должен стать SHIPPED или CANCELLED. ` +
        (last
          ? `Последнее событие заказа — ${shown(last.topic)} (${last.publisher}, t=${last.t}); следующего за ним так и не появилось: его никто не обработал, или эффект зафиксирован, а событие потеряно?`
          : 'Ни одного события с этим orderId не опубликовано (OrderCreated?).') +
        busy.ru,
      `Order ${id} never finished: its status is ${shown(status(f))}, it must end SHIPPED or CANCELLED. ` +
        (last
          ? `Its last event is ${shown(last.topic)} (${last.publisher}, t=${last.t}) and nothing followed it: nobody handled it, or an effect was committed and its event lost?`
          : 'No event with this orderId was ever published (OrderCreated?).') +
        busy.en,
      last ? last.t : run.now,
    );
  }
  return null;
}

/** Liveness within the promised window after the faults ended. */
export function withinLiveness(f: OrderFacts, run: RunOutcome): Violation | null {
  const fin = finished(f, run);
  if (fin) return fin;
  const from = Math.max(run.quietAt, num(f.submission?.acceptedAt) || 0);
  const at = terminalAt(f);
  if (at > from + LIVENESS_MS)
    return v(
      `Заказ ${f.req.orderId} завершился только в t=${at}, позже чем через ${LIVENESS_MS} мс после окончания отказов (t=${from}).`,
      `Order ${f.req.orderId} finished only at t=${at}, more than ${LIVENESS_MS} ms after the faults ended (t=${from}).`,
      at,
    );
  return null;
}

const WHY: Record<string, Localized> = {
  SHIPPED: { ru: 'карта, склад и адрес в порядке', en: 'the card, the stock and the address are fine' },
  CANCELLED: { ru: 'один из шагов отказал', en: 'one of the steps refuses' },
};

/** The order ended the way its data decides (card balance, stock, address). */
export function expectedOutcome(f: OrderFacts): Violation | null {
  const want = f.req.expect;
  if (want === 'EITHER' || status(f) === want) return null;
  return v(
    `Заказ ${f.req.orderId}: ожидался статус ${want} (${WHY[want]!.ru}), получен ${shown(status(f))}.`,
    `Order ${f.req.orderId}: expected ${want} (${WHY[want]!.en}), got ${shown(status(f))}.`,
    terminalAt(f) || undefined,
  );
}

/** Money per order: one charge at most, of the order's amount; a refund only for a charge, once, of the same amount. */
export function moneyOnce(f: OrderFacts): Violation | null {
  const id = f.req.orderId;
  if (f.charges.length > 1)
    return v(
      `Заказ ${id}: ${f.charges.length} строки CHARGE в payment.payments — деньги списаны несколько раз. Повторная доставка события должна распознаваться (дедупликация в той же транзакции, что и списание).`,
      `Order ${id}: ${f.charges.length} CHARGE rows in payment.payments — the card was charged more than once. A redelivered event must be recognised (de-duplicate in the same transaction as the charge).`,
      num(f.charges[1]!.at) || undefined,
    );
  if (f.refunds.length > 1)
    return v(
      `Заказ ${id}: ${f.refunds.length} строки REFUND — возврат выполнен несколько раз. Компенсация должна быть идемпотентной.`,
      `Order ${id}: ${f.refunds.length} REFUND rows — refunded more than once. A compensation must be idempotent.`,
      num(f.refunds[1]!.at) || undefined,
    );
  if (f.refunds.length === 1 && f.charges.length === 0)
    return v(
      `Заказ ${id}: есть возврат (REFUND ${shown(f.refunds[0]!.amount)}), но не было списания. Компенсация должна учитывать бизнес-логику: нечего возвращать — ничего не делаем.`,
      `Order ${id}: there is a refund (REFUND ${shown(f.refunds[0]!.amount)}) but no charge. Compensation must be business-aware: nothing was charged, so nothing is refunded.`,
      num(f.refunds[0]!.at) || undefined,
    );
  const c = f.charges[0];
  if (c && !same(num(c.amount), f.req.amount))
    return v(`Заказ ${id}: списано ${shown(c.amount)} вместо ${f.req.amount}.`, `Order ${id}: charged ${shown(c.amount)} instead of ${f.req.amount}.`, num(c.at) || undefined);
  const r = f.refunds[0];
  if (c && r && !same(num(r.amount), num(c.amount)))
    return v(`Заказ ${id}: возвращено ${shown(r.amount)}, а списано ${shown(c.amount)}.`, `Order ${id}: refunded ${shown(r.amount)} but charged ${shown(c.amount)}.`, num(r.at) || undefined);
  return null;
}

/** The end state matches the status: shipped ⇔ paid in full and a parcel exists; cancelled ⇔ nothing kept, nothing sent. */
export function consistent(f: OrderFacts): Violation | null {
  const id = f.req.orderId;
  const s = status(f);
  const at = terminalAt(f) || undefined;
  const paid = net(f);
  if (s === 'SHIPPED') {
    if (f.shipment?.status !== 'CREATED')
      return v(`Заказ ${id} в статусе SHIPPED, но служба доставки посылку не создавала.`, `Order ${id} is SHIPPED but the shipping service never created a shipment for it.`, at);
    if (f.order?.trackingNumber !== f.shipment.trackingNumber)
      return v(
        `Заказ ${id}: trackingNumber ${shown(f.order?.trackingNumber)}, а служба доставки выдала ${shown(f.shipment.trackingNumber)} (из события ShipmentCreated).`,
        `Order ${id}: trackingNumber is ${shown(f.order?.trackingNumber)} but shipping issued ${shown(f.shipment.trackingNumber)} (in its ShipmentCreated event).`,
        at,
      );
    if (!same(paid, f.req.amount))
      return v(`Заказ ${id} отправлен, но итог по оплате ${paid} вместо ${f.req.amount}.`, `Order ${id} was shipped but its net payment is ${paid} instead of ${f.req.amount}.`, at);
  } else if (s === 'CANCELLED') {
    if (f.shipment?.status === 'CREATED')
      return v(
        `Заказ ${id} отменён, а посылка ${shown(f.shipment.trackingNumber)} уже отправлена: событие ItemsReserved ушло, хотя резерв не был зафиксирован, или отмена пришла раньше времени?`,
        `Order ${id} is cancelled but parcel ${shown(f.shipment.trackingNumber)} was shipped: was ItemsReserved published although the reservation never committed, or was the order cancelled too early?`,
        at,
      );
    if (paid < 0)
      return v(`Отменённый заказ ${id}: возвращено больше, чем списано (итог ${paid}).`, `Cancelled order ${id}: more was refunded than charged (net ${paid}).`, at);
    if (!same(paid, 0))
      return v(
        `Деньги за отменённый заказ ${id} не возвращены: итог ${paid} (должен быть 0; amount в payment.payments — положительные числа).`,
        `Money kept for the cancelled order ${id}: net ${paid} (must be 0; amounts in payment.payments are positive numbers).`,
        at,
      );
  }
  return null;
}

/** CANCELLED is the last compensation: the order says so only once the refund is committed. */
export function cancelledAfterRefund(f: OrderFacts, run: RunOutcome): Violation | null {
  if (status(f) !== 'CANCELLED' || f.refunds.length === 0) return null;
  const cancelled = terminalAt(f);
  const refunded = paymentAt(run, f.req.orderId, 'REFUND');
  if (!(cancelled > refunded))
    return v(
      `Заказ ${f.req.orderId} стал CANCELLED в t=${cancelled}, а деньги вернулись только в t=${refunded}. Отмена заказа — последняя компенсация: сначала возврат, потом CANCELLED (заказ ждёт события о возврате).`,
      `Order ${f.req.orderId} became CANCELLED at t=${cancelled} but the money came back only at t=${refunded}. Cancelling the order is the last compensation: refund first, then CANCELLED (the order waits for the refund's event).`,
      cancelled,
    );
  return null;
}

/** Once SHIPPED or CANCELLED, an order's row never changes status again and is never deleted. */
export function terminalIsFinal(f: OrderFacts): Violation | null {
  let final: unknown;
  for (const c of f.history) {
    const s = c.after === null ? undefined : c.after.status;
    if (final !== undefined && s !== final)
      return v(
        `Заказ ${f.req.orderId}: в t=${c.at} статус сменился с ${shown(final)} на ${c.after === null ? '(строка удалена)' : shown(s)}. Событие пришло позже другого: конечный статус не должен меняться, а состояние — двигаться назад.`,
        `Order ${f.req.orderId}: at t=${c.at} its status went from ${shown(final)} to ${c.after === null ? '(row deleted)' : shown(s)}. An event arrived after a later one: a final status must stay, and the state must never move backwards.`,
        c.at,
      );
    if (final === undefined && isTerminal(s)) final = s;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Properties of a whole run
// ---------------------------------------------------------------------------

/** The ledger is append-only: a refund is a new row, a charge is never updated or deleted. */
export function ledgerAppendOnly(run: RunOutcome): Violation | null {
  for (const c of run.changes('payment')) {
    if (c.table !== 'payments' || c.op === 'insert') continue;
    const row = c.before ?? {};
    return v(
      `payment.payments: строка ${shown(c.key)} (${shown(row.type)}, заказ ${shown(row.orderId)}) ${c.op === 'delete' ? 'удалена' : 'изменена'} в t=${c.at}. Компенсация должна быть семантической: возврат — новая строка REFUND, а не ${c.op === 'delete' ? 'DELETE' : 'UPDATE'} списания.`,
      `payment.payments: row ${shown(c.key)} (${shown(row.type)}, order ${shown(row.orderId)}) was ${c.op === 'delete' ? 'deleted' : 'updated'} at t=${c.at}. Compensation must be semantic: a refund is a new REFUND row, not a ${c.op === 'delete' ? 'DELETE' : 'UPDATE'} of the charge.`,
      c.at,
    );
  }
  return null;
}

/** Card balances: every card holds its initial balance minus what its orders kept. */
export function balances(run: RunOutcome, all: OrderFacts[]): Violation | null {
  const w = workload(run);
  const cards = new Map(run.rows('payment', 'cards').map((r) => [String(r.id), r]));
  for (const [card, initial] of Object.entries(w.cards)) {
    const kept = all.filter((f) => f.req.card === card).reduce((s, f) => s + net(f), 0);
    const row = cards.get(card);
    const bal = num(row?.balance);
    if (!same(bal, initial - kept))
      return v(
        `Баланс карты ${card}: ${shown(row?.balance)}, а должен быть ${initial - kept} (начальный ${initial} минус итог по её заказам ${kept} в payment.payments). Списание/возврат и баланс меняются в одной транзакции?`,
        `Card ${card} balance is ${shown(row?.balance)}, expected ${initial - kept} (initial ${initial} minus the net ${kept} of its orders in payment.payments). Do the charge/refund row and the balance change in one transaction?`,
      );
  }
  return null;
}

/** Stock: once every order of a product is finished, available = initial − units of its shipped orders. */
export function stockExact(run: RunOutcome, all: OrderFacts[]): Violation | null {
  const w = workload(run);
  const stock = new Map(run.rows('inventory', 'stock').map((r) => [String(r.id), r]));
  for (const [product, initial] of Object.entries(w.stock)) {
    const mine = all.filter((f) => f.req.productId === product);
    if (mine.some((f) => !isTerminal(status(f)))) continue; // still in flight: judged by liveness
    const shipped = mine.filter((f) => status(f) === 'SHIPPED').reduce((s, f) => s + f.req.quantity, 0);
    const row = stock.get(product);
    const at = lastChangeAt(run, 'inventory', 'stock', product);
    if (!same(num(row?.available), initial - shipped)) {
      const cancelled = mine.filter((f) => status(f) === 'CANCELLED').map((f) => f.req.orderId);
      return v(
        `Склад ${product}: available = ${shown(row?.available)}, а должно быть ${initial - shipped} (начальный остаток ${initial} минус ${shipped} шт. отправленных заказов${cancelled.length ? `; отменённые ${cancelled.join(', ')} должны вернуть резерв` : ''}). Резерв выполнен дважды или освобождение потеряно?`,
        `Stock of ${product}: available = ${shown(row?.available)}, expected ${initial - shipped} (initial ${initial} minus ${shipped} units of shipped orders${cancelled.length ? `; cancelled ${cancelled.join(', ')} must give their units back` : ''}). Reserved twice, or a release lost?`,
        at,
      );
    }
  }
  return null;
}

/** Time of the last committed change of one row, or undefined. */
export function lastChangeAt(run: RunOutcome, service: string, table: string, key: string): number | undefined {
  let at: number | undefined;
  for (const c of run.changes(service)) if (c.table === table && String(c.key) === key) at = c.at;
  return at;
}

/** Choreography: the services coordinate only through the broker and their own databases. */
export function eventsOnly(run: RunOutcome): Violation | null {
  const mine = new Set<string>(LEARNER_SERVICES);
  const own = run.traceOf('ownership-violation').find((e) => e.service !== undefined && mine.has(e.service));
  if (own) {
    const d = (own.data ?? {}) as { owner?: string; op?: string };
    return v(
      `Сервис «${own.service}» обратился напрямую к базе данных «${shown(d.owner)}» (${shown(d.op)}). У каждого сервиса своя БД: всё, что нужно другим, передавайте в событиях.`,
      `Service "${own.service}" accessed the database of "${shown(d.owner)}" directly (${shown(d.op)}). Each service owns its database: put what others need into events.`,
      own.t,
    );
  }
  for (const e of run.traceOf('send')) {
    if (e.service === undefined || !mine.has(e.service) || e.peer === 'broker') continue;
    const d = e.data as { kind?: string; type?: string } | undefined;
    if (d?.kind !== 'request' && d?.kind !== 'message') continue;
    return v(
      `Сервис «${e.service}» ${d.kind === 'request' ? 'вызвал' : 'отправил сообщение'} «${e.peer}» напрямую (${shown(d.type)}). В хореографии нет прямых вызовов: сервисы реагируют на события брокера.`,
      `Service "${e.service}" ${d.kind === 'request' ? 'called' : 'sent a message to'} "${e.peer}" directly (${shown(d.type)}). A choreography has no direct calls: services react to the broker's events.`,
      e.t,
    );
  }
  return null;
}

// ---------------------------------------------------------------------------
// Events: the course's flow and traceability
// ---------------------------------------------------------------------------

export interface Published {
  t: number;
  /** Position in the trace (publish order). */
  seq: number;
  topic: string;
  publisher: string;
  payload: Row | null;
}

export function published(run: RunOutcome): Published[] {
  const cache = publishedCache.get(run);
  if (cache) return cache;
  const out = run.traceOf('publish').map((e: TraceEvent) => {
    const d = (e.data ?? {}) as { topic?: string; payload?: unknown };
    const p = d.payload;
    return { t: e.t, seq: e.id, topic: String(d.topic), publisher: e.peer ?? '', payload: p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as Row) : null };
  });
  publishedCache.set(run, out);
  return out;
}
const publishedCache = new WeakMap<RunOutcome, Published[]>();

/** The course's flow for one order: each of these topics was published by this service, about this order. */
export function flow(run: RunOutcome, orderId: string, steps: Array<[topic: string, publisher: string]>): Violation | null {
  const pubs = published(run).filter((p) => p.payload?.orderId === orderId);
  for (const [topic, publisher] of steps) {
    const hit = pubs.find((p) => p.topic === topic);
    if (!hit)
      return v(
        `Заказ ${orderId}: событие ${topic} (его публикует ${publisher}, поле orderId = "${orderId}") так и не было опубликовано.`,
        `Order ${orderId}: no ${topic} event (published by ${publisher}, with orderId = "${orderId}") was ever published.`,
      );
    if (hit.publisher !== publisher)
      return v(
        `Заказ ${orderId}: событие ${topic} опубликовал «${hit.publisher}», а должен ${publisher}.`,
        `Order ${orderId}: ${topic} was published by "${hit.publisher}"; it is ${publisher}'s event.`,
        hit.t,
      );
  }
  return null;
}

const FORWARD: Record<string, string> = {
  PaymentSucceeded: 'OrderCreated',
  PaymentFailed: 'OrderCreated',
  ItemsReserved: 'PaymentSucceeded',
  ItemsUnavailable: 'PaymentSucceeded',
  ShipmentCreated: 'ItemsReserved',
  ShipmentFailed: 'ItemsReserved',
};

/**
 * Traceability («Сложно отслеживать flow»): every event of the order's
 * services carries eventId, correlationId = orderId and causationId, and the
 * grader can rebuild each order's chain: every event but the order's
 * OrderCreated names an earlier event of the same order as its cause, and the
 * course's steps are caused by the step before them.
 */
export function traceability(run: RunOutcome): Violation | null {
  const mine = new Set<string>(LEARNER_SERVICES);
  /** eventId → the first event with it. */
  const byId = new Map<string, Published>();
  for (const p of published(run)) {
    const e = p.payload;
    const learner = mine.has(p.publisher);
    if (!learner && p.publisher !== 'shipping') continue;
    const where = `${shown(p.topic, 40)} (${p.publisher}, t=${p.t})`;
    if (e === null || typeof e.eventId !== 'string' || e.eventId === '' || typeof e.orderId !== 'string')
      return v(
        `Событие ${where} без строковых eventId и orderId: ${shown(e)}.`,
        `Event ${where} lacks a string eventId and orderId: ${shown(e)}.`,
        p.t,
      );
    if (e.correlationId !== e.orderId)
      return v(
        `Событие ${where}: correlationId = ${shown(e.correlationId)}, а должен быть orderId заказа (${shown(e.orderId)}) — по нему собирается вся цепочка заказа.`,
        `Event ${where}: correlationId is ${shown(e.correlationId)}; it must be the order's orderId (${shown(e.orderId)}) — it ties the order's whole chain together.`,
        p.t,
      );
    if (e.causationId !== null && typeof e.causationId !== 'string')
      return v(`Событие ${where}: causationId = ${shown(e.causationId)} (нужна строка или null).`, `Event ${where}: causationId is ${shown(e.causationId)} (a string or null).`, p.t);
    const twin = byId.get(e.eventId);
    if (twin && (twin.topic !== p.topic || twin.payload!.orderId !== e.orderId))
      return v(
        `eventId ${shown(e.eventId)} использован дважды: для ${shown(twin.topic, 40)} заказа ${shown(twin.payload!.orderId)} и для ${where} заказа ${shown(e.orderId)}. eventId уникален; повторная публикация того же события сохраняет его.`,
        `eventId ${shown(e.eventId)} is used twice: by ${shown(twin.topic, 40)} of order ${shown(twin.payload!.orderId)} and by ${where} of order ${shown(e.orderId)}. An eventId is unique; only a re-publication of the same event keeps it.`,
        p.t,
      );
    if (e.causationId === null) {
      if (p.topic !== 'OrderCreated' || p.publisher !== 'order')
        return v(
          `Событие ${where} заказа ${shown(e.orderId)} без causationId: цепочку начинает только OrderCreated, у остальных causationId — eventId события, которое их вызвало.`,
          `Event ${where} of order ${shown(e.orderId)} has no causationId: only OrderCreated starts a chain; every other event names the eventId of the event that caused it.`,
          p.t,
        );
    } else {
      const cause = byId.get(e.causationId);
      if (!cause || cause.payload!.orderId !== e.orderId)
        return v(
          `Событие ${where} заказа ${shown(e.orderId)}: causationId ${shown(e.causationId)} не совпадает с eventId ни одного более раннего события этого заказа — в цепочке разрыв.`,
          `Event ${where} of order ${shown(e.orderId)}: causationId ${shown(e.causationId)} matches the eventId of no earlier event of this order — the chain has a gap.`,
          p.t,
        );
      const want = FORWARD[p.topic];
      if (want !== undefined && cause.topic !== want)
        return v(
          `Событие ${where} заказа ${shown(e.orderId)} вызвано ${shown(cause.topic, 40)}, а по схеме курса его вызывает ${want}.`,
          `Event ${where} of order ${shown(e.orderId)} names ${shown(cause.topic, 40)} as its cause; in the course's flow ${want} causes it.`,
          p.t,
        );
    }
    if (!twin) byId.set(e.eventId, p);
  }
  return null;
}

// ---------------------------------------------------------------------------
// Helpers for checks
// ---------------------------------------------------------------------------

export function first(...xs: Array<() => Violation | null>): Violation | null {
  for (const x of xs) {
    const r = x();
    if (r) return r;
  }
  return null;
}

export function forAll(run: RunOutcome, ...props: Array<(f: OrderFacts, run: RunOutcome) => Violation | null>): Violation | null {
  for (const f of facts(run)) {
    for (const p of props) {
      const x = p(f, run);
      if (x) return x;
    }
  }
  return null;
}

export function factsOf(run: RunOutcome, orderId: string): OrderFacts {
  const f = facts(run).find((x) => x.req.orderId === orderId);
  if (!f) throw new Error(`no planned order ${orderId}`);
  return f;
}

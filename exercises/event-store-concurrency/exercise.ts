/**
 * Exercise "event-store-concurrency" (course chapter 4): the learner writes an
 * event store with optimistic concurrency and snapshots, and an orders service
 * whose Order aggregate (ItemAdded, OrderConfirmed) is rebuilt from events or
 * from a snapshot plus the tail.
 */
import type { Json, Row } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { clientService, writerService, type Call, type Step } from './services.ts';

export const ID = 'event-store-concurrency';
export const SNAPSHOT_EVERY = 3;

const C = (ru: string, en: string): Localized => ({ ru, en });
const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
const num = (x: unknown) => (typeof x === 'number' ? x : NaN);

// ---------------------------------------------------------------------------
// Script helpers
// ---------------------------------------------------------------------------

const add = (label: string, orderId: string, productId: string, quantity: number, price: number): Call => ({
  label,
  to: 'orders',
  method: 'addItem',
  payload: { orderId, productId, quantity, price },
});
const confirm = (label: string, orderId: string): Call => ({ label, to: 'orders', method: 'confirm', payload: { orderId } });
const getOrder = (label: string, orderId: string): Call => ({ label, to: 'orders', method: 'getOrder', payload: { orderId } });
const store = (label: string, method: string, payload: Json): Call => ({ label, to: 'event-store', method, payload });
const append = (label: string, aggregateId: string, expectedVersion: number, types: string[], token: string): Call =>
  store(label, 'append', {
    aggregateId,
    aggregateType: 'Ledger',
    expectedVersion,
    events: types.map((type, i) => ({ type, data: { token: `${token}#${i}` } })),
  });

// ---------------------------------------------------------------------------
// Reading the final state
// ---------------------------------------------------------------------------

interface Result {
  delivered: boolean;
  value: any;
  error: string | null;
  at: number;
}

function results(run: RunOutcome, service = 'client'): Map<string, Result> {
  return new Map(run.rows(service, 'results').map((r) => [String(r.id), r as unknown as Result]));
}

function streams(run: RunOutcome): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const e of run.rows('event-store', 'events')) {
    const id = String(e.aggregateId);
    if (!m.has(id)) m.set(id, []);
    m.get(id)!.push(e);
  }
  for (const list of m.values()) list.sort((a, b) => num(a.version) - num(b.version));
  return m;
}

interface OrderState {
  status: string;
  items: Array<{ productId: string; quantity: number; price: number }>;
  totalAmount: number;
}

/** The grader's own fold of an Order stream (the course's apply_event). */
function replay(events: Row[]): OrderState {
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

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

/** Differences between a state the learner produced and the replayed truth ('' when equal). */
function diff(got: unknown, want: OrderState): string {
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

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/** Every stream's versions are exactly 1..n. */
function storeIntegrity(run: RunOutcome): Violation | null {
  for (const [id, list] of streams(run)) {
    for (let i = 0; i < list.length; i++) {
      const ver = list[i]!.version;
      if (ver !== i + 1) {
        const seen = list.map((e) => e.version).join(', ');
        return v(
          `Поток ${id}: версии событий [${seen}], а должны идти 1, 2, 3, … без пропусков и повторов.`,
          `Stream ${id}: event versions are [${seen}]; they must be 1, 2, 3, … with no gaps and no duplicates.`,
        );
      }
    }
  }
  return null;
}

/** Competing writers: one winner per expected version, and every acknowledged append is durable. */
function writerAcks(run: RunOutcome, writers: string[]): Violation | null {
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
      if (token !== r.token)
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
function orderInvariants(run: RunOutcome): Violation | null {
  for (const [id, list] of streams(run)) {
    if (list.length === 0 || list[0]!.aggregateType !== 'Order') continue;
    let confirmed = false;
    let items = 0;
    let total = 0;
    for (const e of list) {
      const d = (e.data ?? {}) as Record<string, unknown>;
      if (e.type === 'ItemAdded') {
        if (confirmed)
          return v(`Заказ ${id}: ItemAdded (версия ${String(e.version)}) после OrderConfirmed — в подтверждённый заказ нельзя добавлять товары.`, `Order ${id}: ItemAdded (version ${String(e.version)}) after OrderConfirmed — a confirmed order takes no more items.`);
        items++;
        total += num(d.quantity) * num(d.price);
      } else if (e.type === 'OrderConfirmed') {
        if (confirmed) return v(`Заказ ${id}: OrderConfirmed записан дважды.`, `Order ${id}: OrderConfirmed was recorded twice.`);
        if (items === 0) return v(`Заказ ${id}: подтверждён пустой заказ.`, `Order ${id}: an empty order was confirmed.`);
        if (!close(num(d.totalAmount), total))
          return v(`Заказ ${id}: OrderConfirmed.totalAmount = ${String(d.totalAmount)}, а сумма позиций ${total}.`, `Order ${id}: OrderConfirmed.totalAmount = ${String(d.totalAmount)} but the items sum to ${total}.`);
        confirmed = true;
      }
    }
  }
  return null;
}

/** Every snapshot equals the replay of its stream up to the snapshot's version. */
function snapshotsConsistent(run: RunOutcome): Violation | null {
  const all = streams(run);
  for (const s of run.rows('event-store', 'snapshots')) {
    const id = String(s.aggregateId);
    const list = (all.get(id) ?? []).filter((e) => num(e.version) <= num(s.version));
    if (list.length !== num(s.version))
      return v(`Снимок ${id} имеет версию ${String(s.version)}, а в потоке столько событий нет.`, `Snapshot of ${id} has version ${String(s.version)} but the stream has no such version.`);
    const d = diff(s.state, replay(list));
    if (d) return v(`Снимок ${id} (версия ${String(s.version)}) не совпадает с воспроизведением событий 1..${String(s.version)}: ${d}.`, `Snapshot of ${id} (version ${String(s.version)}) differs from replaying events 1..${String(s.version)}: ${d}.`);
  }
  return null;
}

/** Every getOrder reply equals the replay of the stream up to the version it reports. */
function viewsConsistent(run: RunOutcome): Violation | null {
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

function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service === 'orders' || x.service === 'event-store');
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: string; op?: string };
  return v(
    `Сервис «${e.service}» обратился напрямую к базе данных «${d.owner}» (${d.op}). Orders работает с событиями только через API event-store.`,
    `Service "${e.service}" accessed the database of "${d.owner}" directly (${d.op}). Orders must use the event store's API only.`,
    e.t,
  );
}

function expectReply(r: Map<string, Result>, label: string, what: Localized, pred: (value: any) => boolean): Violation | null {
  const x = r.get(label);
  if (!x) return v(`Нет ответа на шаг «${label}» (${what.ru}).`, `No reply for step "${label}" (${what.en}).`);
  if (!x.delivered) return v(`Шаг «${label}» (${what.ru}) не удался: ${String(x.error)}.`, `Step "${label}" (${what.en}) failed: ${String(x.error)}.`, x.at);
  if (!pred(x.value))
    return v(`Шаг «${label}»: ожидалось ${what.ru}, получено ${JSON.stringify(x.value)}.`, `Step "${label}": expected ${what.en}, got ${JSON.stringify(x.value)}.`, x.at);
  return null;
}

const isOk = (val: any) => val && val.ok === true;
const isRefused = (val: any) => val && val.ok === false;
const isConflict = (val: any) => val && val.ok === false && val.error === 'ConcurrencyError';

function first(...xs: Array<() => Violation | null>): Violation | null {
  for (const x of xs) {
    const r = x();
    if (r) return r;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const WRITERS = ['w1', 'w2', 'w3'];

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'worked-example',
    title: C('Пример из курса: 2×50.0 + 1×30.0, подтверждение ⇒ 130.0', 'The course example: 2×50.0 + 1×30.0, confirm ⇒ 130.0'),
    seed: 201,
    setup: () => ({
      services: [
        clientService([
          add('a1', 'order-123', 'product-1', 2, 50.0),
          add('a2', 'order-123', 'product-2', 1, 30.0),
          confirm('c', 'order-123'),
          getOrder('g', 'order-123'),
        ]),
      ],
    }),
  },
  {
    id: 'store-api',
    title: C('API хранилища: append, read с версии, version, снимки', 'Store API: append, read from a version, version, snapshots'),
    seed: 202,
    setup: () => ({
      services: [
        clientService([
          append('ap1', 's-1', 0, ['Opened', 'Credited'], 'a'),
          store('rd0', 'read', { aggregateId: 's-1' }),
          store('rd1', 'read', { aggregateId: 's-1', fromVersion: 1 }),
          store('ver', 'version', { aggregateId: 's-1' }),
          store('ver-none', 'version', { aggregateId: 'nobody' }),
          store('rd-none', 'read', { aggregateId: 'nobody' }),
          append('ap2', 's-1', 2, ['Debited'], 'b'),
          store('snap-none', 'loadSnapshot', { aggregateId: 's-1' }),
          store('snap-save', 'saveSnapshot', { aggregateId: 's-1', version: 3, state: { orderId: 's-1', status: 'CREATED', items: [], totalAmount: 0 } }),
          store('snap-load', 'loadSnapshot', { aggregateId: 's-1' }),
        ]),
      ],
    }),
  },
  {
    id: 'invariants',
    title: C('Инварианты заказа: нет пустого подтверждения, нет товаров после подтверждения', 'Order invariants: no empty confirm, no items after confirm'),
    seed: 203,
    setup: () => ({
      services: [
        clientService([
          confirm('empty-confirm', 'o-empty'),
          add('i-add', 'o-inv', 'book', 1, 12.5),
          confirm('i-confirm', 'o-inv'),
          add('i-add-after', 'o-inv', 'pen', 3, 2.0),
          confirm('i-confirm-again', 'o-inv'),
          getOrder('i-get', 'o-inv'),
        ]),
      ],
    }),
  },
  {
    id: 'concurrent-writers',
    title: C('Конкурентные писатели с одной ожидаемой версией', 'Concurrent writers with the same expected version'),
    seed: 204,
    setup: () => ({
      services: [
        clientService([
          [append('p1', 'acc-1', 0, ['Tick'], 'p1'), append('p2', 'acc-1', 0, ['Tick'], 'p2'), append('p3', 'acc-1', 0, ['Tick'], 'p3')],
          [append('q1', 'acc-1', 1, ['Tick'], 'q1'), append('q2', 'acc-1', 1, ['Tick'], 'q2'), append('q3', 'acc-1', 1, ['Tick'], 'q3')],
        ]),
        ...WRITERS.map((w) => writerService(w, 'shared', 2)),
      ],
    }),
  },
  {
    id: 'concurrent-commands',
    title: C('Четыре клиента одновременно добавляют товары в один заказ', 'Four clients add items to one order at the same time'),
    seed: 205,
    setup: () => ({
      services: [
        clientService([
          [add('k1', 'o-conc', 'p1', 1, 10), add('k2', 'o-conc', 'p2', 2, 20), add('k3', 'o-conc', 'p3', 3, 30), add('k4', 'o-conc', 'p4', 4, 40)],
          getOrder('kg', 'o-conc'),
        ]),
      ],
    }),
  },
  {
    id: 'snapshots',
    title: C('Снимок каждые 3 события, затем хвост', 'A snapshot every 3 events, then the tail'),
    seed: 206,
    setup: () => ({
      services: [
        clientService([
          add('s1', 'o-snap', 'a', 1, 1),
          add('s2', 'o-snap', 'b', 2, 2),
          add('s3', 'o-snap', 'c', 3, 3),
          add('s4', 'o-snap', 'd', 4, 4),
          getOrder('gA', 'o-snap'),
          add('s5', 'o-snap', 'e', 5, 5),
          confirm('s6', 'o-snap'),
          getOrder('gB', 'o-snap'),
        ]),
      ],
    }),
  },
];

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const BASIC = C('Базовый уровень: каждый сервис имеет свою БД; нет прямого доступа между БД сервисов', 'Basic: each service owns its database; no direct access between databases');
const ES = C('Продвинутый уровень: Event Sourcing для Order Service', 'Advanced: Event Sourcing for the Order service');
const OCC = C('Продвинутый уровень: Optimistic concurrency control', 'Advanced: optimistic concurrency control');
const PERF = C('Экспертный уровень: Performance optimization (снимки)', 'Expert: performance optimization (snapshots)');
const ERR = C('Экспертный уровень: полная обработка ошибок', 'Expert: complete error handling');

const checks: CheckSpec[] = [
  {
    id: 'worked-example',
    title: C('Пример из курса: ItemAdded, ItemAdded, OrderConfirmed ⇒ итог 130.0', 'Course example: ItemAdded, ItemAdded, OrderConfirmed ⇒ total 130.0'),
    points: 15,
    level: 'basic',
    criterion: ES,
    scenarios: ['worked-example'],
    random: false,
    verify: (run) => {
      const r = results(run);
      return first(
        () => expectReply(r, 'a1', C('{ ok: true } на addItem', '{ ok: true } from addItem'), isOk),
        () => expectReply(r, 'a2', C('{ ok: true } на addItem', '{ ok: true } from addItem'), isOk),
        () => expectReply(r, 'c', C('{ ok: true } на confirm', '{ ok: true } from confirm'), isOk),
        () => {
          const list = streams(run).get('order-123') ?? [];
          const got = list.map((e) => `${String(e.version)}:${String(e.type)}`).join(', ');
          if (got !== '1:ItemAdded, 2:ItemAdded, 3:OrderConfirmed')
            return v(`Поток order-123: [${got}], ожидалось [1:ItemAdded, 2:ItemAdded, 3:OrderConfirmed].`, `Stream order-123: [${got}], expected [1:ItemAdded, 2:ItemAdded, 3:OrderConfirmed].`);
          if (list.some((e) => e.aggregateType !== 'Order'))
            return v('События заказа должны иметь aggregateType "Order".', 'Order events must have aggregateType "Order".');
          const d1 = list[0]!.data as Record<string, unknown>;
          if (d1.productId !== 'product-1' || d1.quantity !== 2 || d1.price !== 50)
            return v(`Данные первого ItemAdded: ${JSON.stringify(d1)}, ожидалось {productId: "product-1", quantity: 2, price: 50}.`, `First ItemAdded data: ${JSON.stringify(d1)}, expected {productId: "product-1", quantity: 2, price: 50}.`);
          const total = (list[2]!.data as Record<string, unknown>).totalAmount;
          if (!close(num(total), 130))
            return v(`OrderConfirmed.totalAmount = ${String(total)}, ожидалось 130.0 (2×50.0 + 1×30.0).`, `OrderConfirmed.totalAmount = ${String(total)}, expected 130.0 (2×50.0 + 1×30.0).`);
          return null;
        },
        () =>
          expectReply(r, 'g', C('заказ CONFIRMED, 2 позиции, totalAmount 130, version 3', 'order CONFIRMED, 2 items, totalAmount 130, version 3'), (o) =>
            o && o.status === 'CONFIRMED' && close(num(o.totalAmount), 130) && Array.isArray(o.items) && o.items.length === 2 && o.version === 3,
          ),
      );
    },
  },
  {
    id: 'event-store-api',
    title: C('Хранилище: append с ожидаемой версией, чтение с версии, текущая версия, снимки', 'Store: append with expected version, read from a version, current version, snapshots'),
    points: 10,
    level: 'basic',
    criterion: ES,
    scenarios: ['store-api'],
    random: false,
    verify: (run) => {
      const r = results(run);
      const versions = (val: any) => (Array.isArray(val) ? val.map((e: any) => e?.version).join(',') : 'not-an-array');
      return first(
        () => expectReply(r, 'ap1', C('{ ok: true, version: 2 } (два события в новый поток)', '{ ok: true, version: 2 } (two events to a new stream)'), (x) => isOk(x) && x.version === 2),
        () => expectReply(r, 'rd0', C('два события с версиями 1,2', 'two events with versions 1,2'), (x) => versions(x) === '1,2' && x[0].type === 'Opened'),
        () => expectReply(r, 'rd1', C('только событие версии 2 (fromVersion: 1 — события после версии 1)', 'only the event of version 2 (fromVersion: 1 — events after version 1)'), (x) => versions(x) === '2'),
        () => expectReply(r, 'ver', C('текущая версия 2', 'current version 2'), (x) => x === 2),
        () => expectReply(r, 'ver-none', C('0 для несуществующего потока', '0 for an unknown stream'), (x) => x === 0),
        () => expectReply(r, 'rd-none', C('[] для несуществующего потока', '[] for an unknown stream'), (x) => Array.isArray(x) && x.length === 0),
        () => expectReply(r, 'ap2', C('{ ok: true, version: 3 }', '{ ok: true, version: 3 }'), (x) => isOk(x) && x.version === 3),
        () => expectReply(r, 'snap-none', C('null (снимка ещё нет)', 'null (no snapshot yet)'), (x) => x === null),
        () => expectReply(r, 'snap-load', C('сохранённый снимок версии 3', 'the saved snapshot of version 3'), (x) => x && x.version === 3 && x.state && x.state.orderId === 's-1'),
        () => storeIntegrity(run),
      );
    },
  },
  {
    id: 'invariants',
    title: C('Инварианты агрегата: нельзя подтвердить пустой заказ и добавлять после подтверждения', 'Aggregate invariants: no empty confirm, no items after confirm'),
    points: 15,
    level: 'basic',
    criterion: ES,
    scenarios: ['invariants'],
    random: true,
    verify: (run) => {
      if (run.random) return orderInvariants(run);
      const r = results(run);
      return first(
        () => expectReply(r, 'empty-confirm', C('{ ok: false } — пустой заказ подтверждать нельзя', '{ ok: false } — an empty order cannot be confirmed'), isRefused),
        () =>
          (streams(run).get('o-empty') ?? []).length > 0
            ? v('Для пустого заказа o-empty в хранилище появились события.', 'Events were stored for the empty order o-empty.')
            : null,
        () => expectReply(r, 'i-add', C('{ ok: true }', '{ ok: true }'), isOk),
        () => expectReply(r, 'i-confirm', C('{ ok: true }', '{ ok: true }'), isOk),
        () => expectReply(r, 'i-add-after', C('{ ok: false } — заказ уже подтверждён', '{ ok: false } — the order is already confirmed'), isRefused),
        () => expectReply(r, 'i-confirm-again', C('{ ok: false } — повторное подтверждение', '{ ok: false } — a second confirmation'), isRefused),
        () => orderInvariants(run),
        () => {
          const n = (streams(run).get('o-inv') ?? []).length;
          return n === 2 ? null : v(`В потоке o-inv ${n} событий, ожидалось 2 (ItemAdded, OrderConfirmed).`, `Stream o-inv holds ${n} events, expected 2 (ItemAdded, OrderConfirmed).`);
        },
      );
    },
  },
  {
    id: 'own-database',
    title: C('Orders не обращается к базе event-store напрямую', 'Orders never touches the event store\'s database directly'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['worked-example', 'snapshots'],
    random: true,
    verify: noOwnershipViolation,
  },
  {
    id: 'optimistic-concurrency',
    title: C('Оптимистическая блокировка: на каждую ожидаемую версию побеждает ровно один писатель', 'Optimistic concurrency: exactly one writer wins per expected version'),
    points: 15,
    level: 'advanced',
    criterion: OCC,
    scenarios: ['concurrent-writers'],
    random: true,
    verify: (run) => {
      if (run.random) return storeIntegrity(run) ?? writerAcks(run, ['w1', 'w2']);
      const r = results(run);
      const round = (labels: string[], exp: number): Violation | null => {
        const replies = labels.map((l) => r.get(l));
        if (replies.some((x) => !x || !x.delivered))
          return v(`Не все конкурентные append (${labels.join(', ')}) получили ответ.`, `Not every concurrent append (${labels.join(', ')}) got a reply.`);
        const winners = replies.filter((x) => isOk(x!.value)).length;
        const losers = replies.filter((x) => isConflict(x!.value)).length;
        if (winners !== 1 || losers !== labels.length - 1)
          return v(
            `Три append с expectedVersion ${exp}: успешных ${winners}, ConcurrencyError ${losers}. Должен победить ровно один, остальные — { ok: false, error: 'ConcurrencyError' }.`,
            `Three appends with expectedVersion ${exp}: ${winners} succeeded, ${losers} got ConcurrencyError. Exactly one must win; the others get { ok: false, error: 'ConcurrencyError' }.`,
            Math.max(...replies.map((x) => x!.at)),
          );
        return null;
      };
      return first(
        () => round(['p1', 'p2', 'p3'], 0),
        () => round(['q1', 'q2', 'q3'], 1),
        () => storeIntegrity(run),
        () => {
          const n = (streams(run).get('acc-1') ?? []).length;
          return n === 2 ? null : v(`В потоке acc-1 ${n} событий, ожидалось 2 (по одному победителю на версию).`, `Stream acc-1 holds ${n} events, expected 2 (one winner per version).`);
        },
        () => writerAcks(run, WRITERS),
        () => {
          const n = (streams(run).get('shared') ?? []).length;
          return n === 6 ? null : v(`Три писателя по 2 записи с повторами: в потоке shared ${n} событий, ожидалось 6.`, `Three writers, 2 appends each with retries: stream shared holds ${n} events, expected 6.`);
        },
      );
    },
  },
  {
    id: 'concurrent-commands',
    title: C('Конкурентные команды: при ConcurrencyError orders перечитывает агрегат и повторяет', 'Concurrent commands: on ConcurrencyError orders reloads the aggregate and retries'),
    points: 10,
    level: 'advanced',
    criterion: OCC,
    scenarios: ['concurrent-commands'],
    random: false,
    verify: (run) => {
      const r = results(run);
      return first(
        ...['k1', 'k2', 'k3', 'k4'].map((l) => () => expectReply(r, l, C('{ ok: true } (после повторов при конфликте)', '{ ok: true } (retrying on conflicts)'), isOk)),
        () => storeIntegrity(run),
        () => {
          const list = streams(run).get('o-conc') ?? [];
          const products = list.map((e) => String((e.data as Record<string, unknown>)?.productId)).sort().join(',');
          return products === 'p1,p2,p3,p4'
            ? null
            : v(`В заказе o-conc товары [${products}], ожидалось ровно по одному p1..p4.`, `Order o-conc holds products [${products}], expected exactly one each of p1..p4.`);
        },
        () => expectReply(r, 'kg', C('totalAmount 300 (10 + 40 + 90 + 160)', 'totalAmount 300 (10 + 40 + 90 + 160)'), (o) => o && close(num(o.totalAmount), 300)),
      );
    },
  },
  {
    id: 'snapshot-tail',
    title: C('Снимок + хвост событий = полное воспроизведение', 'Snapshot + tail equals the full replay'),
    points: 15,
    level: 'expert',
    criterion: PERF,
    scenarios: ['snapshots'],
    random: true,
    verify: (run) => {
      if (run.random) return snapshotsConsistent(run) ?? viewsConsistent(run);
      const r = results(run);
      return first(
        ...['s1', 's2', 's3', 's4', 's5', 's6'].map((l) => () => expectReply(r, l, C('{ ok: true }', '{ ok: true }'), isOk)),
        () => {
          const snap = run.rows('event-store', 'snapshots').find((s) => s.aggregateId === 'o-snap');
          if (!snap)
            return v(`Для o-snap нет снимка: сохраняйте снимок, когда версия переходит через кратное ${SNAPSHOT_EVERY}.`, `No snapshot for o-snap: save one whenever the version crosses a multiple of ${SNAPSHOT_EVERY}.`);
          if (num(snap.version) % SNAPSHOT_EVERY !== 0)
            return v(`Снимок o-snap имеет версию ${String(snap.version)}, ожидалась кратная ${SNAPSHOT_EVERY}.`, `The o-snap snapshot has version ${String(snap.version)}, expected a multiple of ${SNAPSHOT_EVERY}.`);
          return null;
        },
        () => snapshotsConsistent(run),
        () => expectReply(r, 'gA', C('состояние версии 4', 'the state at version 4'), (o) => o && o.version === 4),
        () => expectReply(r, 'gB', C('состояние версии 6 (CONFIRMED)', 'the state at version 6 (CONFIRMED)'), (o) => o && o.version === 6 && o.status === 'CONFIRMED'),
        () => viewsConsistent(run),
        () => {
          const reads = run
            .traceOf('send')
            .filter((e) => e.service === 'orders' && (e.data as { kind?: string; type?: string })?.kind === 'request' && (e.data as { type?: string }).type === 'read')
            .map((e) => (e.data as { payload?: { aggregateId?: unknown; fromVersion?: unknown } }).payload ?? {});
          const fromSnap = reads.some((p) => p.aggregateId === 'o-snap' && num(p.fromVersion) >= SNAPSHOT_EVERY);
          return fromSnap
            ? null
            : v(
                `orders ни разу не читал хвост o-snap начиная с версии снимка (read с fromVersion ≥ ${SNAPSHOT_EVERY}): агрегат надо восстанавливать из снимка + хвоста, а не из всех событий.`,
                `orders never read the o-snap tail from the snapshot's version (read with fromVersion ≥ ${SNAPSHOT_EVERY}): rebuild the aggregate from snapshot + tail, not from all events.`,
              );
        },
      );
    },
  },
  {
    id: 'random-faults',
    title: C('Случайные отказы: поток без пропусков и дублей, инварианты и снимки верны', 'Random faults: streams without gaps or duplicates, invariants and snapshots hold'),
    points: 10,
    level: 'expert',
    criterion: ERR,
    scenarios: [],
    random: true,
    verify: (run) => storeIntegrity(run) ?? writerAcks(run, ['w1', 'w2']) ?? orderInvariants(run) ?? snapshotsConsistent(run) ?? viewsConsistent(run),
  },
];

const randomScript = (seed: number): Step[] => [
  [add('r1', 'o-r', 'p1', 1, 5), add('r2', 'o-r', 'p2', 2, 7), add('r3', 'o-r', 'p3', 1, 11)],
  seed % 2 === 0 ? confirm('r4', 'o-r') : [confirm('r4', 'o-r'), add('r5', 'o-r', 'late', 1, 1)],
  getOrder('rg', 'o-r'),
  add('t1', 'o-s', 'a', 1, 1),
  add('t2', 'o-s', 'b', 1, 2),
  add('t3', 'o-s', 'c', 1, 3),
  add('t4', 'o-s', 'd', 1, 4),
  getOrder('tg', 'o-s'),
];

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
  chapter: 4,
  order: 1,
  title: C('Event Store: оптимистическая блокировка и снимки', 'Event store: optimistic concurrency and snapshots'),
  summary: C(
    'Напишите хранилище событий (append с ожидаемой версией, чтение с версии, снимки) и сервис заказов, восстанавливающий агрегат Order из снимка и хвоста событий.',
    'Write an event store (append with expected version, read from a version, snapshots) and an orders service that rebuilds the Order aggregate from a snapshot plus the tail.',
  ),
  criteria: [BASIC, ES, OCC, PERF, ERR],
  rubric: true,
  learnerServices: [
    { service: 'event-store', exportName: 'eventStore' },
    { service: 'orders', exportName: 'orders' },
  ],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: (seed) => ({ services: [clientService(randomScript(seed)), writerService('w1', 'w-stream', 3), writerService('w2', 'w-stream', 3)] }),
    schedule: { services: ['event-store', 'orders'], horizonMs: 150, episodes: 2, minDowntimeMs: 10, maxDowntimeMs: 200 },
  },
  checks,
  hints: [
    C(
      'Версия потока — это число его событий. append: прочитайте текущую версию и запишите события с версиями expected+1… в ОДНОЙ транзакции; уникальный ключ (aggregateId, version) — последняя линия защиты.',
      'A stream\'s version is its number of events. append: read the current version and write events expected+1… in ONE transaction; the unique key (aggregateId, version) is the last line of defence.',
    ),
    C(
      'read({ aggregateId, fromVersion }) возвращает события с version > fromVersion по возрастанию.',
      'read({ aggregateId, fromVersion }) returns the events with version > fromVersion, ascending.',
    ),
    C(
      'Загрузка агрегата: loadSnapshot → состояние и версия снимка (или пустой заказ и 0), затем read с fromVersion = версии снимка и применение хвоста.',
      'Loading the aggregate: loadSnapshot → the snapshot state and version (or an empty order and 0), then read with fromVersion = the snapshot version and apply the tail.',
    ),
    C(
      'При { ok: false, error: "ConcurrencyError" } перечитайте агрегат, заново проверьте инварианты и повторите (несколько раз).',
      'On { ok: false, error: "ConcurrencyError" } reload the aggregate, re-check the invariants and retry (a few times).',
    ),
  ],
  sim: { maxEvents: 200_000, maxTime: 60_000 },
};

export default exercise;

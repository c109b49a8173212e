/**
 * Exercise "saga-choreography-order" (course chapter 3: the choreography saga
 * Order → Payment → Inventory → Shipping and the compensation example of order
 * #12345). The learner writes order, payment and inventory, which coordinate
 * only through broker events; shipping and the client are provided
 * (services.ts). Properties: properties.ts.
 */
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, ScenarioSetup, TopicConfig, Violation } from '../../src/grading/types.ts';
import type { TableSpec } from '../../src/sim/types.ts';
import {
  balances,
  cancelledAfterRefund,
  consistent,
  eventsOnly,
  expectedOutcome,
  factsOf,
  first,
  flow,
  forAll,
  facts,
  lastChangeAt,
  ledgerAppendOnly,
  moneyOnce,
  stockExact,
  terminalAt,
  terminalIsFinal,
  traceability,
  shown,
  v,
  withinLiveness,
  type Expected,
  type OrderFacts,
  type PlannedOrder,
  type Workload,
} from './properties.ts';
import { clientService, shippingService, UNDELIVERABLE, type Submission } from './services.ts';
import type { Topic } from './types.ts';

export const ID = 'saga-choreography-order';

const C = (ru: string, en: string): Localized => ({ ru, en });

// ---------------------------------------------------------------------------
// The world: stock, cards, addresses (the course's numbers: 5 units of Product A, $100, card *1234)
// ---------------------------------------------------------------------------

export const STOCK: Record<string, { name: string; available: number }> = {
  'product-a': { name: 'Product A', available: 10 },
  'product-b': { name: 'Product B', available: 3 },
  'product-c': { name: 'Product C', available: 5 },
};
export const CARDS: Record<string, number> = { '*1234': 500, '*5678': 300, '*0000': 20 };
export const ADDRESS = 'Moscow, Tverskaya 1';
export const NOWHERE = `${UNDELIVERABLE}, Deep Street 7`;
const FCW: TableSpec = { conflicts: 'first-committer-wins' };
export const TOPICS: Topic[] = ['OrderCreated', 'PaymentSucceeded', 'PaymentFailed', 'ItemsReserved', 'ItemsUnavailable', 'ShipmentCreated', 'ShipmentFailed'];

type Timed = PlannedOrder & { at?: number };

function order(orderId: string, expect: Expected, over: Partial<Timed> = {}): Timed {
  return { orderId, productId: 'product-a', quantity: 5, amount: 100, card: '*1234', address: ADDRESS, expect, ...over };
}

function setup(orders: Timed[], extra: Omit<ScenarioSetup, 'services' | 'data' | 'initialRows'> = {}): ScenarioSetup {
  const submissions: Submission[] = orders.map(({ at = 0, expect: _expect, ...request }) => ({ at, request }));
  const data: Workload = {
    orders: orders.map(({ at: _at, ...o }) => o),
    stock: Object.fromEntries(Object.entries(STOCK).map(([id, s]) => [id, s.available])),
    cards: { ...CARDS },
  };
  return {
    services: [shippingService(), clientService(submissions)],
    initialRows: {
      payment: { cards: { spec: FCW, rows: Object.entries(CARDS).map(([id, balance]) => ({ id, balance })) } },
      inventory: { stock: { spec: FCW, rows: Object.entries(STOCK).map(([id, s]) => ({ id, name: s.name, available: s.available })) } },
    },
    data: data as never,
    ...extra,
  };
}

const allTopics = (cfg: TopicConfig): Record<string, TopicConfig> => Object.fromEntries(TOPICS.map((t) => [t, cfg]));

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'happy-path',
    title: C('Пример курса: заказ #12345, 5 шт. Product A, $100 с карты *1234', 'The course example: order #12345, 5 × Product A, $100 on card *1234'),
    seed: 301,
    setup: () => setup([order('12345', 'SHIPPED')]),
  },
  {
    id: 'card-declined',
    title: C('Карта отклонена', 'The card is declined'),
    seed: 302,
    setup: () => setup([order('12346', 'CANCELLED', { card: '*0000' })]),
  },
  {
    id: 'out-of-stock',
    title: C('Оплата прошла, а товара на складе не хватает', 'Paid, but the stock is short'),
    seed: 303,
    setup: () => setup([order('12347', 'CANCELLED', { productId: 'product-b' })]),
  },
  {
    id: 'shipping-failed',
    title: C('Оплачено и зарезервировано, но доставка невозможна', 'Paid and reserved, but the parcel cannot be delivered'),
    seed: 304,
    setup: () => setup([order('12348', 'CANCELLED', { address: NOWHERE })]),
  },
  {
    id: 'duplicates',
    title: C('Брокер доставляет каждое событие дважды, сеть дублирует сообщения', 'The broker delivers every event twice, the network duplicates messages'),
    seed: 305,
    setup: () =>
      setup([order('d-1', 'SHIPPED'), order('d-2', 'CANCELLED', { productId: 'product-b', at: 2 }), order('d-3', 'CANCELLED', { quantity: 4, amount: 80, address: NOWHERE, at: 4 })], {
        sim: { network: { duplicate: 0.3 }, brokerTopics: allTopics({ duplicate: 1 }) },
      }),
  },
  {
    id: 'republished',
    title: C('Падения после публикации и после обработки: события приходят повторно', 'Crashes right after a publish and right after handling: events come again'),
    seed: 306,
    setup: () =>
      setup([order('r-1', 'SHIPPED'), order('r-2', 'CANCELLED', { productId: 'product-b', at: 3 })], {
        faults: [
          { at: 0, kind: 'crash-after', service: 'order', on: 'publish-ack', topic: 'OrderCreated', restartAfterMs: 30 },
          { at: 0, kind: 'crash-after', service: 'payment', on: 'publish-ack', topic: 'PaymentSucceeded', restartAfterMs: 30 },
          { at: 0, kind: 'crash-after', service: 'inventory', on: 'handler-return', topic: 'PaymentSucceeded', restartAfterMs: 30 },
          { at: 0, kind: 'crash-after', service: 'payment', on: 'handler-return', topic: 'ItemsUnavailable', restartAfterMs: 30 },
        ],
      }),
  },
  {
    id: 'crash-after-commit',
    title: C('Каждый сервис падает сразу после фиксации своей транзакции, до публикации', 'Each service crashes right after its transaction commits, before publishing'),
    seed: 307,
    setup: () =>
      setup([order('c-1', 'SHIPPED'), order('c-2', 'CANCELLED', { productId: 'product-b', at: 150 })], {
        faults: [
          { at: 0, kind: 'crash-after', service: 'order', on: 'tx-commit', table: 'orders', restartAfterMs: 40 },
          { at: 0, kind: 'crash-after', service: 'payment', on: 'tx-commit', table: 'payments', restartAfterMs: 40 },
          { at: 0, kind: 'crash-after', service: 'inventory', on: 'tx-commit', table: 'stock', restartAfterMs: 40 },
          { at: 150, kind: 'crash-after', service: 'payment', on: 'tx-commit', table: 'payments', nth: 2, restartAfterMs: 40 },
        ],
      }),
  },
  {
    id: 'disk-failure',
    title: C('Диск склада отказывает, пока два заказа спорят за последние 5 шт.', "The inventory's disk fails while two orders compete for the last 5 units"),
    seed: 308,
    setup: () =>
      setup(
        [
          order('f-1', 'EITHER', { productId: 'product-c' }),
          order('f-2', 'EITHER', { productId: 'product-c', card: '*5678', at: 1 }),
        ],
        { faults: [{ at: 2, kind: 'db-write-failure', service: 'inventory', durationMs: 150 }] },
      ),
  },
  {
    id: 'late-events',
    title: C('События доходят до order в перепутанном порядке', 'Events reach order out of order'),
    seed: 309,
    setup: () =>
      setup([order('l-1', 'SHIPPED', { quantity: 2, amount: 40 }), order('l-2', 'CANCELLED', { productId: 'product-b', at: 1000 }), order('l-3', 'CANCELLED', { quantity: 3, amount: 60, address: NOWHERE, at: 2000 })], {
        // Each order is placed at the start of a 300 ms window in which every delivery from the broker
        // to order is lost. The broker redelivers ShipmentCreated (and any event of yours) after
        // 100 ms, ItemsReserved after 600 ms and PaymentSucceeded after 900 ms.
        faults: [0, 1000, 2000].map((at) => ({ at, kind: 'loss' as const, rate: 1, durationMs: 300, from: 'broker', to: 'order' })),
        sim: { brokerTopics: { PaymentSucceeded: { ackTimeoutMs: 900 }, ItemsReserved: { ackTimeoutMs: 600 } } },
      }),
  },
];

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const BASIC = C('Базовый уровень: реализован простой Saga pattern; нет прямого доступа между БД сервисов', 'Basic: a simple Saga pattern; no direct access between service databases');
const ADV = C('Продвинутый уровень: правильные компенсирующие действия', 'Advanced: proper compensation actions');
const EXP = C('Экспертный уровень: полная обработка ошибок', 'Expert: complete error handling');
const OBS = C('Мониторинг и наблюдаемость: поток саги можно отследить', 'Monitoring and observability: the saga\'s flow can be followed');

/** One order's outcome in a course scenario: finished, the expected status, the course's events, money and goods consistent. */
function outcome(run: RunOutcome, orderId: string, steps: Array<[string, string]>): Violation | null {
  const f = factsOf(run, orderId);
  return first(
    () => withinLiveness(f, run),
    () => expectedOutcome(f),
    () => flow(run, orderId, steps),
    () => moneyOnce(f),
    () => consistent(f),
  );
}

const PLACED: Array<[string, string]> = [['OrderCreated', 'order']];
const PAID: Array<[string, string]> = [...PLACED, ['PaymentSucceeded', 'payment']];
const RESERVED: Array<[string, string]> = [...PAID, ['ItemsReserved', 'inventory']];

function unchangedStock(run: RunOutcome, product: string, why: Localized): Violation | null {
  const row = run.rows('inventory', 'stock').find((r) => r.id === product);
  const want = STOCK[product]!.available;
  if (row?.available !== want)
    return v(
      `Остаток ${product}: ${shown(row?.available)}, а должен остаться ${want} (${why.ru}).`,
      `Stock of ${product} is ${shown(row?.available)}; it must stay ${want} (${why.en}).`,
      lastChangeAt(run, 'inventory', 'stock', product),
    );
  return null;
}

/** The stock went down by the order's units and then back up, and the order was cancelled after both compensations. */
function releasedBeforeCancel(run: RunOutcome, f: OrderFacts): Violation | null {
  const changes = run.changes('inventory').filter((c) => c.table === 'stock' && c.key === f.req.productId && c.op === 'update');
  const down = changes.find((c) => (c.before?.available as number) - (c.after?.available as number) === f.req.quantity);
  const up = changes.find((c) => down !== undefined && c.lsn > down.lsn && (c.after?.available as number) - (c.before?.available as number) === f.req.quantity);
  if (!down || !up)
    return v(
      `Заказ ${f.req.orderId}: ${down ? `резерв ${f.req.quantity} шт. не вернули на склад` : `${f.req.quantity} шт. так и не были зарезервированы`} (${f.req.productId}). Отказ доставки компенсируется: ${f.req.quantity} шт. обратно на склад, деньги обратно, заказ CANCELLED.`,
      `Order ${f.req.orderId}: ${down ? `the ${f.req.quantity} reserved units never went back to stock` : `the ${f.req.quantity} units were never reserved`} (${f.req.productId}). A refused shipment is compensated: ${f.req.quantity} units back to inventory, the money back, the order CANCELLED.`,
      down?.at ?? (terminalAt(f) || undefined),
    );
  const cancelled = terminalAt(f);
  if (!(cancelled > up.at))
    return v(
      `Заказ ${f.req.orderId} стал CANCELLED в t=${cancelled}, а товар вернулся на склад только в t=${up.at}. CANCELLED — последний шаг компенсации.`,
      `Order ${f.req.orderId} became CANCELLED at t=${cancelled} but the units were back in stock only at t=${up.at}. CANCELLED is the last step of the compensation.`,
      cancelled,
    );
  return null;
}

/** Exactly-once effects and conserved money and goods, over every order of the run. */
function exactlyOnce(run: RunOutcome): Violation | null {
  const all = facts(run);
  return forAll(run, moneyOnce) ?? balances(run, all) ?? stockExact(run, all);
}

const checks: CheckSpec[] = [
  {
    id: 'happy-path',
    title: C('Пример курса: #12345 отправлен (трек ABC123), списано $100, со склада −5 шт.', 'The course example: #12345 shipped (tracking ABC123), $100 charged, 5 units out of stock'),
    points: 15,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['happy-path'],
    random: false,
    verify: (run) =>
      first(
        () => outcome(run, '12345', [...RESERVED, ['ShipmentCreated', 'shipping']]),
        () => {
          const f = factsOf(run, '12345');
          return f.order?.trackingNumber === 'ABC123'
            ? null
            : v(`Заказ 12345: trackingNumber ${shown(f.order?.trackingNumber)}, ожидался ABC123.`, `Order 12345: trackingNumber is ${shown(f.order?.trackingNumber)}, expected ABC123.`);
        },
        () => exactlyOnce(run),
      ),
  },
  {
    id: 'card-declined',
    title: C('Карта отклонена ⇒ CANCELLED, склад не тронут, никакого возврата («No action needed»)', 'Card declined ⇒ CANCELLED, stock untouched, no refund («No action needed»)'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['card-declined'],
    random: false,
    verify: (run) =>
      first(
        () => outcome(run, '12346', [...PLACED, ['PaymentFailed', 'payment']]),
        () => {
          const f = factsOf(run, '12346');
          const rows = [...f.charges, ...f.refunds];
          return rows.length === 0
            ? null
            : v(
                `Заказ 12346: карта отклонена, но в payment.payments есть ${rows.map((r) => shown(r.type, 20)).join(', ')}. Отклонённый платёж ничего не списал — компенсировать нечего («No action needed»).`,
                `Order 12346: the card was declined, yet payment.payments holds ${rows.map((r) => shown(r.type, 20)).join(', ')}. A declined payment moved no money: there is nothing to compensate («No action needed»).`,
              );
        },
        () => unchangedStock(run, 'product-a', C('оплата не прошла — резервировать нечего', 'the payment failed: nothing to reserve')),
        () => exactlyOnce(run),
      ),
  },
  {
    id: 'out-of-stock',
    title: C('Нет товара после оплаты ⇒ возврат новой записью REFUND, затем CANCELLED', 'Out of stock after payment ⇒ a refund as a new REFUND record, then CANCELLED'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['out-of-stock'],
    random: false,
    verify: (run) =>
      first(
        () => outcome(run, '12347', [...PAID, ['ItemsUnavailable', 'inventory']]),
        () => ledgerAppendOnly(run),
        () => {
          const f = factsOf(run, '12347');
          return f.charges.length === 1 && f.refunds.length === 1
            ? null
            : v(
                `Заказ 12347: ожидались одна строка CHARGE и одна REFUND, получено ${f.charges.length} и ${f.refunds.length}.`,
                `Order 12347: expected one CHARGE row and one REFUND row, got ${f.charges.length} and ${f.refunds.length}.`,
              );
        },
        () => cancelledAfterRefund(factsOf(run, '12347'), run),
        () => unchangedStock(run, 'product-b', C('товара не хватило — ничего не зарезервировано', 'the stock was short: nothing was reserved')),
        () => exactlyOnce(run),
      ),
  },
  {
    id: 'shipping-failed',
    title: C('Доставка невозможна ⇒ 5 шт. обратно на склад, возврат денег, затем CANCELLED', 'Shipment refused ⇒ 5 units back to inventory, the money back, then CANCELLED'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['shipping-failed'],
    random: false,
    verify: (run) =>
      first(
        () => outcome(run, '12348', [...RESERVED, ['ShipmentFailed', 'shipping']]),
        () => ledgerAppendOnly(run),
        () => releasedBeforeCancel(run, factsOf(run, '12348')),
        () => cancelledAfterRefund(factsOf(run, '12348'), run),
        () => exactlyOnce(run),
      ),
  },
  {
    id: 'events-only',
    title: C('Хореография: только события брокера, у каждого сервиса своя БД', 'Choreography: broker events only, each service owns its database'),
    points: 5,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['happy-path', 'out-of-stock'],
    random: true,
    verify: eventsOnly,
  },
  {
    id: 'exactly-once',
    title: C('Повторные доставки и публикации ⇒ ровно одно списание, резерв, возврат на заказ', 'Redeliveries and re-publications ⇒ exactly one charge, reservation and refund per order'),
    points: 10,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['duplicates', 'republished'],
    random: true,
    verify: (run) => (run.random ? exactlyOnce(run) : forAll(run, withinLiveness, expectedOutcome, consistent) ?? exactlyOnce(run) ?? ledgerAppendOnly(run)),
  },
  {
    id: 'commit-and-publish',
    title: C('Фиксация и публикация атомарны: ни потерянных, ни фантомных событий', 'Commit and publish are atomic: no lost and no phantom events'),
    points: 10,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['crash-after-commit', 'disk-failure'],
    random: false,
    verify: (run) => {
      const x = forAll(run, withinLiveness, expectedOutcome, consistent) ?? exactlyOnce(run);
      if (x || run.scenario !== 'disk-failure') return x;
      const shipped = facts(run).filter((f) => f.order?.status === 'SHIPPED').length;
      return shipped === 1
        ? null
        : v(
            `Два заказа по 5 шт. при остатке product-c 5: отправлен должен быть ровно один, отправлено ${shipped}.`,
            `Two orders of 5 units with 5 of product-c in stock: exactly one must ship; ${shipped} shipped.`,
          );
    },
  },
  {
    id: 'traceability',
    title: C('Трассируемость: eventId, correlationId = orderId, causationId — цепочка заказа без разрывов', 'Traceability: eventId, correlationId = orderId, causationId — every order\'s chain without gaps'),
    points: 5,
    level: 'advanced',
    criterion: OBS,
    scenarios: ['happy-path', 'out-of-stock', 'shipping-failed'],
    random: true,
    // A scenario's chains must also be complete: traceability of a flow that never ran proves nothing.
    verify: (run) => (run.random ? traceability(run) : forAll(run, withinLiveness) ?? traceability(run)),
  },
  {
    id: 'reordering',
    title: C('События в перепутанном порядке: статус заказа не откатывается назад', 'Events out of order: an order\'s status never moves backwards'),
    points: 10,
    level: 'expert',
    criterion: EXP,
    scenarios: ['late-events'],
    random: true,
    verify: (run) => (run.random ? forAll(run, terminalIsFinal) : forAll(run, withinLiveness, terminalIsFinal, expectedOutcome, consistent)),
  },
  {
    id: 'random-faults',
    title: C('Случайные отказы: каждый заказ завершается вовремя и так, как решают данные; деньги и товар сходятся', 'Random faults: every order finishes in time, as its data decides; money and goods add up'),
    points: 15,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: (run) => forAll(run, withinLiveness, expectedOutcome, consistent, cancelledAfterRefund) ?? ledgerAppendOnly(run),
  },
];

// ---------------------------------------------------------------------------
// Random runs: three orders at seed-drawn times within the fault horizon; the second one's fate is drawn too
// ---------------------------------------------------------------------------

const SECOND: Array<(id: string) => Timed> = [
  (id) => order(id, 'CANCELLED', { card: '*0000', quantity: 1, amount: 30 }),
  (id) => order(id, 'CANCELLED', { productId: 'product-b', quantity: 4, amount: 80, card: '*5678' }),
  (id) => order(id, 'CANCELLED', { quantity: 4, amount: 70, address: NOWHERE, card: '*5678' }),
  (id) => order(id, 'SHIPPED', { productId: 'product-c', quantity: 2, amount: 50, card: '*5678' }),
];

/** A small deterministic hash of the seed (times must not line up from one seed to the next). */
function drawn(seed: number, salt: number, range: number): number {
  let x = (seed * 0x9e3779b1 + salt * 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) % range;
}

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
  chapter: 3,
  order: 0,
  title: C('Хореографическая сага: заказ, оплата, склад, доставка', 'Choreographed saga: order, payment, inventory, shipping'),
  summary: C(
    'Напишите сервисы order, payment и inventory, которые координируются только событиями брокера: заказ #12345 проходит Order → Payment → Inventory → Shipping, а отказы компенсируются цепочкой событий — при дубликатах, падениях между фиксацией и публикацией и перепутанном порядке событий.',
    'Write the order, payment and inventory services that coordinate only through broker events: order #12345 goes Order → Payment → Inventory → Shipping, and failures are compensated by a chain of events — under duplicates, crashes between commit and publish, and events out of order.',
  ),
  criteria: [BASIC, ADV, OBS, EXP],
  rubric: true,
  learnerServices: [
    { service: 'order', exportName: 'order' },
    { service: 'payment', exportName: 'payment' },
    { service: 'inventory', exportName: 'inventory' },
  ],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: (seed) => {
      const second = SECOND[seed % SECOND.length]!;
      return setup(
        [
          { ...order(`r${seed}-a`, 'SHIPPED', { quantity: 2, amount: 40 }), at: drawn(seed, 1, 300) },
          { ...second(`r${seed}-b`), at: drawn(seed, 2, 600) },
          { ...order(`r${seed}-c`, 'SHIPPED', { quantity: 3, amount: 60 }), at: drawn(seed, 3, 900) },
        ],
        { sim: { brokerTopics: allTopics({ duplicate: 0.1 }) } },
      );
    },
    schedule: {
      services: ['order', 'payment', 'inventory', 'shipping'],
      nodes: ['order', 'payment', 'inventory', 'shipping', 'broker'],
      kinds: ['crash', 'partition', 'latency', 'loss', 'db-write-failure', 'crash-after'],
      // 2–6 faults over the first second, mostly short with a long tail (up to 1.5 s): neither their
      // number nor their length is predictable. Nothing in a choreography may give up, so every
      // order must still finish as its data decides.
      horizonMs: 1000,
      episodes: 2,
      maxEpisodes: 6,
      minDowntimeMs: 20,
      maxDowntimeMs: 1500,
      downtime: 'mostly-short',
    },
  },
  checks,
  hints: [
    C(
      'Одно событие — одна локальная транзакция: отметка «обработано» (по orderId) + эффект (списание, резерв) + событие для следующего шага в таблице outbox. Повторная доставка видит отметку и ничего не делает.',
      'One event, one local transaction: a "handled" mark (by orderId) + the effect (charge, reservation) + the next step\'s event as a row of an outbox table. A redelivery sees the mark and does nothing.',
    ),
    C(
      'Между фиксацией и publish сервис может упасть. Пишите событие в outbox в той же транзакции, а отдельный цикл (ретранслятор) публикует строки outbox и удаляет опубликованные; запускайте его и при старте сервиса.',
      'A service can crash between the commit and the publish. Write the event into an outbox in the same transaction; a relay loop publishes outbox rows and deletes the published ones — start it when the service starts, too.',
    ),
    C(
      'Не глотайте ошибки в обработчике: если транзакция не удалась (WriteConflict, отказ диска), пусть обработчик бросит исключение — брокер доставит событие снова.',
      'Do not swallow errors in a handler: when the transaction fails (WriteConflict, a failing disk), let the handler throw — the broker delivers the event again.',
    ),
    C(
      'Компенсация — не DELETE: возврат денег — новая строка REFUND. Отклонённая карта ничего не списала — возвращать нечего. Заказ становится CANCELLED последним, по событию о завершённой компенсации.',
      'A compensation is not a DELETE: a refund is a new REFUND row. A declined card charged nothing — nothing to refund. The order becomes CANCELLED last, on the event that says the compensation is done.',
    ),
    C(
      'События приходят в любом порядке: статус заказа только движется вперёд, SHIPPED и CANCELLED окончательны. causationId каждого события — eventId события, которое его вызвало.',
      'Events come in any order: an order\'s status only moves forward; SHIPPED and CANCELLED are final. Each event\'s causationId is the eventId of the event that caused it.',
    ),
  ],
  sim: { maxEvents: 300_000, maxTime: 30_000 },
  // Its properties read change logs (an order's status history, the ledger's appends, stock changes): the judge needs them in every run's record.
  record: { changes: true },
};

export default exercise;

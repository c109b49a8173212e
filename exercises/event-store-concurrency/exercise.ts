/**
 * Exercise "event-store-concurrency" (course chapter 4): the learner writes an
 * event store with optimistic concurrency and snapshots, and an orders service
 * whose Order aggregate (ItemAdded, OrderConfirmed) is rebuilt from events or
 * from a snapshot plus the tail. The properties the checks judge are in
 * properties.ts.
 */
import type { Json } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Violation } from '../../src/grading/types.ts';
import { clientService, writerService, type Call, type Step } from './services.ts';
import {
  appendTime,
  C,
  close,
  conflictsReportVersion,
  durableAppends,
  expectReply,
  first,
  isConflict,
  isOk,
  isRefused,
  noOwnershipViolation,
  num,
  orderInvariants,
  results,
  snapshotsConsistent,
  storeIntegrity,
  streams,
  v,
  viewsConsistent,
  writerAcks,
} from './properties.ts';

export const ID = 'event-store-concurrency';
export const SNAPSHOT_EVERY = 3;

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
    events: types.map((type, i) => ({ type, data: { token: `${token}#${i}`, of: types.length } })),
  });

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
          append('ap-stale', 's-1', 1, ['Late'], 'c'),
          append('ap-ahead', 's-1', 7, ['Early'], 'd'),
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
  },  {
    id: 'crash-mid-append',
    title: C('Хранилище падает посреди append из двух событий', 'The store crashes in the middle of a two-event append'),
    seed: 207,
    setup: () => ({
      services: [clientService([append('m1', 'm-stream', 0, ['Opened', 'Credited'], 'm1'), store('m-ver', 'version', { aggregateId: 'm-stream' }), append('m2', 'm-stream', 2, ['Debited'], 'm2')])],
      drive: async (h) => {
        // Right after the first event of m1 is committed: an append written event by event is cut in half.
        const firstEvent = () => h.rows('event-store', 'events').some((e) => (e.data as { token?: unknown } | undefined)?.token === 'm1#0');
        await h.runUntil(firstEvent, 2000, 0.1);
        h.crash('event-store');
        await h.advance(30);
        h.restart('event-store');
      },
    }),
  },
  {
    id: 'store-outage',
    title: C(
      'Хранилище недоступно 450 мс, затем его диск отказывает ещё 1,1 с',
      'The store is unreachable for 450 ms, then its disk fails for another 1.1 s',
    ),
    seed: 208,
    setup: () => ({
      services: [
        clientService([add('so-add', 'o-out', 'x', 1, 5), append('so-direct', 's-out', 0, ['A', 'B'], 'sd'), store('so-ver', 'version', { aggregateId: 's-out' })]),
      ],
      faults: [
        { at: 3, kind: 'partition', groups: [['event-store'], ['client', 'orders']] },
        { at: 453, kind: 'heal' },
        { at: 453, kind: 'db-write-failure', service: 'event-store', durationMs: 1100 },
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
            return v(`Поток order-123: [${got}], ожидалось [1:ItemAdded, 2:ItemAdded, 3:OrderConfirmed].`, `Stream order-123: [${got}], expected [1:ItemAdded, 2:ItemAdded, 3:OrderConfirmed].`, appendTime(run, 'order-123'));
          if (list.some((e) => e.aggregateType !== 'Order'))
            return v('События заказа должны иметь aggregateType "Order".', 'Order events must have aggregateType "Order".', appendTime(run, 'order-123'));
          const d1 = list[0]!.data as Record<string, unknown>;
          if (d1.productId !== 'product-1' || d1.quantity !== 2 || d1.price !== 50)
            return v(`Данные первого ItemAdded: ${JSON.stringify(d1)}, ожидалось {productId: "product-1", quantity: 2, price: 50}.`, `First ItemAdded data: ${JSON.stringify(d1)}, expected {productId: "product-1", quantity: 2, price: 50}.`, appendTime(run, 'order-123', 1));
          const total = (list[2]!.data as Record<string, unknown>).totalAmount;
          if (!close(num(total), 130))
            return v(`OrderConfirmed.totalAmount = ${String(total)}, ожидалось 130.0 (2×50.0 + 1×30.0).`, `OrderConfirmed.totalAmount = ${String(total)}, expected 130.0 (2×50.0 + 1×30.0).`, appendTime(run, 'order-123', 3));
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
        () =>
          expectReply(r, 'ap-stale', C("{ ok: false, error: 'ConcurrencyError', currentVersion: 3 } (expectedVersion 1 устарел)", "{ ok: false, error: 'ConcurrencyError', currentVersion: 3 } (expectedVersion 1 is stale)"), (x) => isConflict(x) && x.currentVersion === 3),
        () =>
          expectReply(r, 'ap-ahead', C("{ ok: false, error: 'ConcurrencyError', currentVersion: 3 } (expectedVersion 7 из будущего)", "{ ok: false, error: 'ConcurrencyError', currentVersion: 3 } (expectedVersion 7 is ahead)"), (x) => isConflict(x) && x.currentVersion === 3),
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
    random: false, // under faults the random-faults check carries the invariants: a concurrency bug must not cost a basic check
    verify: (run) => {
      const r = results(run);
      return first(
        () => expectReply(r, 'empty-confirm', C('{ ok: false } — пустой заказ подтверждать нельзя', '{ ok: false } — an empty order cannot be confirmed'), isRefused),
        () =>
          (streams(run).get('o-empty') ?? []).length > 0
            ? v('Для пустого заказа o-empty в хранилище появились события.', 'Events were stored for the empty order o-empty.', appendTime(run, 'o-empty'))
            : null,
        () => expectReply(r, 'i-add', C('{ ok: true }', '{ ok: true }'), isOk),
        () => expectReply(r, 'i-confirm', C('{ ok: true }', '{ ok: true }'), isOk),
        () => expectReply(r, 'i-add-after', C('{ ok: false } — заказ уже подтверждён', '{ ok: false } — the order is already confirmed'), isRefused),
        () => expectReply(r, 'i-confirm-again', C('{ ok: false } — повторное подтверждение', '{ ok: false } — a second confirmation'), isRefused),
        () => orderInvariants(run),
        () => {
          const n = (streams(run).get('o-inv') ?? []).length;
          return n === 2 ? null : v(`В потоке o-inv ${n} событий, ожидалось 2 (ItemAdded, OrderConfirmed).`, `Stream o-inv holds ${n} events, expected 2 (ItemAdded, OrderConfirmed).`, appendTime(run, 'o-inv'));
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
      if (run.random) return storeIntegrity(run) ?? writerAcks(run, ['w1', 'w2']) ?? conflictsReportVersion(run);
      const r = results(run);
      const round = (labels: string[], exp: number): Violation | null => {
        for (const l of labels) {
          const x = r.get(l);
          if (!x) return v(`Конкурентный append ${l} так и не завершился.`, `The concurrent append ${l} never completed.`);
          if (!x.delivered)
            return v(
              `Конкурентный append ${l} (expectedVersion ${exp}) получил вместо ответа ошибку: ${String(x.error)}. Проигравший append отвечает { ok: false, error: 'ConcurrencyError', currentVersion } — и когда конфликт найден при фиксации (UniqueViolation).`,
              `The concurrent append ${l} (expectedVersion ${exp}) got an error instead of a reply: ${String(x.error)}. A losing append answers { ok: false, error: 'ConcurrencyError', currentVersion } — also when the conflict shows at commit (UniqueViolation).`,
              x.at,
            );
        }
        const replies = labels.map((l) => r.get(l));
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
        () => conflictsReportVersion(run),
        () => storeIntegrity(run),
        () => {
          const n = (streams(run).get('acc-1') ?? []).length;
          return n === 2 ? null : v(`В потоке acc-1 ${n} событий, ожидалось 2 (по одному победителю на версию).`, `Stream acc-1 holds ${n} events, expected 2 (one winner per version).`, appendTime(run, 'acc-1'));
        },
        () => writerAcks(run, WRITERS),
        () => {
          const n = (streams(run).get('shared') ?? []).length;
          return n === 6 ? null : v(`Три писателя по 2 записи с повторами: в потоке shared ${n} событий, ожидалось 6.`, `Three writers, 2 appends each with retries: stream shared holds ${n} events, expected 6.`, appendTime(run, 'shared'));
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
            : v(`В заказе o-conc товары [${products}], ожидалось ровно по одному p1..p4.`, `Order o-conc holds products [${products}], expected exactly one each of p1..p4.`, appendTime(run, 'o-conc'));
        },
        () => expectReply(r, 'kg', C('totalAmount 300 (10 + 40 + 90 + 160)', 'totalAmount 300 (10 + 40 + 90 + 160)'), (o) => o && close(num(o.totalAmount), 300)),
      );
    },
  },
  {
    id: 'snapshot-tail',
    title: C('Снимок + хвост событий = полное воспроизведение', 'Snapshot + tail equals the full replay'),
    points: 10,
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
            return v(`Для o-snap нет снимка: сохраняйте снимок, когда версия переходит через кратное ${SNAPSHOT_EVERY}.`, `No snapshot for o-snap: save one whenever the version crosses a multiple of ${SNAPSHOT_EVERY}.`, appendTime(run, 'o-snap'));
          if (num(snap.version) % SNAPSHOT_EVERY !== 0)
            return v(`Снимок o-snap имеет версию ${String(snap.version)}, ожидалась кратная ${SNAPSHOT_EVERY}.`, `The o-snap snapshot has version ${String(snap.version)}, expected a multiple of ${SNAPSHOT_EVERY}.`, appendTime(run, 'o-snap'));
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
    id: 'durable-appends',
    title: C(
      'Append под отказами: атомарен, подтверждается только записанное, конфликт сообщает настоящую версию',
      'Appends under faults: atomic, acknowledged only once stored, conflicts report the real version',
    ),
    points: 10,
    level: 'expert',
    criterion: ERR,
    scenarios: ['crash-mid-append', 'store-outage'],
    random: true,
    verify: durableAppends,
  },
  {
    id: 'random-faults',
    title: C(
      'Случайные отказы: поток без пропусков и дублей, append атомарны, инварианты и снимки верны',
      'Random faults: streams without gaps or duplicates, atomic appends, invariants and snapshots hold',
    ),
    points: 5,
    level: 'expert',
    criterion: ERR,
    scenarios: [],
    random: true,
    verify: (run) =>
      storeIntegrity(run) ?? writerAcks(run, ['w1', 'w2']) ?? orderInvariants(run) ?? snapshotsConsistent(run) ?? viewsConsistent(run) ?? durableAppends(run),
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
  version: 2,
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
    // The writers append two events at a time: a crash or a failing disk between them must not split one.
    setup: (seed) => ({ services: [clientService(randomScript(seed)), writerService('w1', 'w-stream', 3, 2), writerService('w2', 'w-stream', 3, 2)] }),
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
    C(
      'Append отвечает ok только после зафиксированной транзакции; сбой записи пусть бросает исключение. Если конфликт пойман уникальным ключом при фиксации (isUniqueViolation), перечитайте текущую версию для currentVersion.',
      'Append answers ok only after its transaction committed; let a failed write throw. When the unique key catches a conflict at commit (isUniqueViolation), re-read the current version for currentVersion.',
    ),
    C(
      'Если вызов хранилища не ответил (таймаут), исход неизвестен: orders перечитывает агрегат и решает заново, а не отвечает { ok: true } наугад.',
      'When a call to the store times out its outcome is unknown: orders reloads the aggregate and decides again instead of answering { ok: true } blindly.',
    ),
  ],
  sim: { maxEvents: 200_000, maxTime: 60_000 },
};

export default exercise;

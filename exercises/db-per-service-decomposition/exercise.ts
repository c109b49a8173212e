/**
 * Exercise "db-per-service-decomposition" (course chapter 1, the practice task
 * "decompose the shop's monolith database"): the learner writes `catalog`
 * (products with their stock) and `orders` (orders and their lines), moves the
 * monolith's rows into them through its export API, validates references
 * through the owners' APIs, snapshots prices, and composes order details from
 * users and catalog instead of a JOIN. `legacy` (the monolith) and `users` are
 * provided (services.ts); the properties are in properties.ts.
 */
import type { Json } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, ScenarioSetup, Violation } from '../../src/grading/types.ts';
import { scriptedClient, type ScriptedCall, type ScriptedStep } from '../../src/grading/scripted-client.ts';
import { generateSchedule, quietTime, type ScheduleOptions } from '../../src/sim/nemesis.ts';
import { Prng } from '../../src/sim/prng.ts';
import { initialRows, LEGACY_PRODUCTS, LEGACY_USERS, legacyService, usersV1, usersV2, type SlowLookup } from './services.ts';
import {
  C,
  close,
  CREATE_BUDGET_MS,
  delivered,
  DETAILS_BUDGET_MS,
  expectReply,
  first,
  isOkOrder,
  isRefusal,
  isViolation,
  LEGACY_WANT,
  namesDiff,
  noOwnershipViolation,
  orderDiff,
  possiblePrices,
  refusedLeaveNoRows,
  results,
  took,
  userDataStaysInUsers,
  v,
  workload,
  type WantOrder,
  type Workload,
} from './properties.ts';

export const ID = 'db-per-service-decomposition';

// ---------------------------------------------------------------------------
// Script helpers
// ---------------------------------------------------------------------------

type Lines = Array<[productId: number, quantity: number]>;
type Over = Partial<Omit<ScriptedCall, 'label' | 'to' | 'method' | 'payload'>>;

const call = (label: string, to: string, method: string, payload: Json, over: Over = {}): ScriptedCall => ({ label, to, method, payload, ...over });
const createOrder = (label: string, orderId: number, userId: number, lines: Lines, over?: Over) =>
  call(label, 'orders', 'createOrder', { orderId, userId, items: lines.map(([productId, quantity]) => ({ productId, quantity })) }, over);
const details = (label: string, orderId: number, over?: Over) => call(label, 'orders', 'getOrderDetails', { orderId }, over);
const getProduct = (label: string, productId: number, over?: Over) => call(label, 'catalog', 'getProduct', { productId }, over);
const setPrice = (label: string, productId: number, price: number, over?: Over) => call(label, 'catalog', 'setPrice', { productId, price }, over);
const rename = (label: string, userId: number, name: string, over?: Over) => call(label, 'users', 'rename', { userId, name }, over);
const register = (label: string, userId: number, name: string, email: string) => call(label, 'users', 'register', { userId, name, email, password: `pw-${userId}` });

const notOk = (x: any) => !(x && typeof x === 'object' && x.ok === true);
const unavailable = (x: any) => x && typeof x === 'object' && x.ok === false && x.error === 'UNAVAILABLE';
/** Retry while the answer is UNAVAILABLE (or none came), as a shop would. */
const retryUnavailable = (untilMs: number, pauseMs = 200): Over => ({ retry: { untilMs, pauseMs, on: unavailable } });
/** Retry until ok (admin calls, final reads of things that exist). */
const retryUntilOk = (untilMs: number, pauseMs = 150): Over => ({ retry: { untilMs, pauseMs, on: notOk } });

const EMPTY_WORKLOAD: Workload = { registered: [], priceChanges: [], renames: [], mustPlace: [], mustRefuse: [], finalProducts: [], finalDetails: [] };

function world(steps: ScriptedStep[], data: Partial<Workload> = {}, slow: SlowLookup[] = [], extra: Omit<ScenarioSetup, 'services' | 'data' | 'initialRows'> = {}): ScenarioSetup {
  return {
    services: [legacyService, usersV1(slow), scriptedClient('client', steps)],
    initialRows: initialRows(),
    data: { ...EMPTY_WORKLOAD, ...data } as unknown as Json,
    ...extra,
  };
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

/** The monolith is switched off for good at this time in the cut-over scenario. */
export const LEGACY_OFF_AT = 400;

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'cutover',
    title: C(
      'Перенос данных из монолита, затем монолит выключается (t = 400 мс)',
      'Data moved out of the monolith, then the monolith is switched off (t = 400 ms)',
    ),
    seed: 11,
    setup: () =>
      world(
        [
          LEGACY_PRODUCTS.map((p) => getProduct(`p${p.id}`, p.id, { at: LEGACY_OFF_AT + 50 })),
          [...LEGACY_WANT.keys()].map((id) => details(`d${id}`, id)),
          [getProduct('p-none', 99), details('d-none', 4242)],
        ],
        {},
        [],
        { faults: [{ at: LEGACY_OFF_AT, kind: 'crash', service: 'legacy' }] },
      ),
  },
  {
    id: 'references',
    title: C('Ссылки на пользователя и товары проверяются через API', 'References to the user and the products are checked through the APIs'),
    seed: 12,
    setup: () =>
      world(
        [
          createOrder('c-ok', 7101, 1, [[2, 1]], { at: 50 }),
          createOrder('c-ok-again', 7101, 1, [[2, 1]]),
          createOrder('c-user', 9101, 77, [[1, 1]]),
          createOrder('c-product', 9102, 1, [[1, 1], [99, 2]]),
          createOrder('c-empty', 9103, 1, []),
          createOrder('c-qty', 9104, 2, [[1, 0]]),
          register('reg', 4, 'Dana Kim', 'dana.kim@example.com'),
          createOrder('c-new-user', 7102, 4, [[6, 1]]),
          [details('d7101', 7101), details('d9101', 9101), details('d9102', 9102)],
        ],
        { registered: [{ userId: 4, name: 'Dana Kim', email: 'dana.kim@example.com' }] },
      ),
  },
  {
    id: 'worked-example',
    title: C(
      'Заказ 2×50.0 + 1×30.0 = 130.0, затем цена и имя покупателя меняются',
      'Order 2×50.0 + 1×30.0 = 130.0, then the price and the buyer\'s name change',
    ),
    seed: 13,
    setup: () =>
      world(
        [
          createOrder('w-order', 7001, 2, [[1, 2], [2, 1]], { at: 50 }),
          setPrice('w-price', 1, 55.0),
          getProduct('w-product', 1),
          details('w-details', 7001),
          createOrder('w-order2', 7002, 3, [[1, 1]]),
          details('w-details2', 7002),
          details('w-legacy', 1001),
          createOrder('k-order', 7011, 3, [[3, 1], [4, 2]]),
          [details('k-details', 7011), details('k-legacy', 1002)],
          rename('k-rename', 3, 'Chen Wei-Lin'),
          [details('k-details2', 7011), details('k-legacy2', 1004)],
        ],
        { priceChanges: [{ label: 'w-price', productId: 1, price: 55 }], renames: [{ label: 'k-rename', userId: 3, name: 'Chen Wei-Lin' }] },
      ),
  },
  {
    id: 'users-redeploy',
    title: C(
      'Users выкатывает новую версию: внутренняя таблица и поле переименованы, API прежний',
      'Users deploys a new version: its internal table and field are renamed, the API stays',
    ),
    seed: 15,
    setup: () =>
      world(
        [
          createOrder('s-order1', 7201, 1, [[2, 1]], { at: 50 }),
          details('s-details1', 7201),
          createOrder('s-order2', 7202, 3, [[4, 2]], { at: 300, ...retryUnavailable(3000) }),
          createOrder('s-order3', 7203, 2, [[1, 1]], { at: 600 }),
          [details('s-details2', 7202), details('s-details3', 7203), details('s-details-legacy', 1003)],
          rename('s-rename', 1, 'Anna Petrova'),
          details('s-details4', 7201),
        ],
        { renames: [{ label: 's-rename', userId: 1, name: 'Anna Petrova' }] },
        // The lookup of user 3 is slow, so the redeploy at t=345 cuts it off mid-request.
        [{ userId: 3, delayMs: 80, times: 1 }],
        {
          drive: async (h) => {
            await h.advance(345);
            h.redeploy('users', usersV2);
          },
        },
      ),
  },
  {
    id: 'users-partitioned',
    title: C('Users отрезан сетью на 1,5 с', 'Users is partitioned away for 1.5 s'),
    seed: 16,
    setup: () =>
      world(
        [
          createOrder('u-order', 7301, 1, [[1, 1], [2, 2]], { at: 30 }),
          [details('u-details', 7301, { at: 200 }), details('u-details-legacy', 1002, { at: 200 })],
          [createOrder('u-order-valid', 7302, 2, [[2, 1]], { at: 300, ...retryUnavailable(4000, 250) }), createOrder('u-order-ghost', 9301, 88, [[1, 1]], { at: 300, ...retryUnavailable(4000, 250) })],
          details('u-details-after', 7301, { at: 1800 }),
        ],
        { mustRefuse: [{ label: 'u-order-ghost', orderId: 9301, error: 'USER_NOT_FOUND' }] },
        [],
        {
          faults: [
            { at: 100, kind: 'partition', groups: [['users'], ['catalog', 'client', 'legacy', 'orders']] },
            { at: 1600, kind: 'heal' },
          ],
        },
      ),
  },
  {
    id: 'catalog-partitioned',
    title: C('Catalog отрезан сетью на 1 с', 'Catalog is partitioned away for 1 s'),
    seed: 17,
    setup: () =>
      world(
        [
          createOrder('g-order', 7401, 2, [[6, 1], [4, 1]], { at: 30 }),
          details('g-details', 7401, { at: 200 }),
          createOrder('g-order2', 7402, 1, [[2, 1]], { ...retryUnavailable(4000, 250) }),
          details('g-details-after', 7401, { at: 1300 }),
        ],
        {},
        [],
        {
          faults: [
            { at: 100, kind: 'partition', groups: [['catalog'], ['client', 'legacy', 'orders', 'users']] },
            { at: 1100, kind: 'heal' },
          ],
        },
      ),
  },
];

// ---------------------------------------------------------------------------
// Check bodies
// ---------------------------------------------------------------------------

const r0 = (run: RunOutcome) => results(run);

/** A details reply whose own data equals `want`. */
function expectOrder(run: RunOutcome, label: string, want: WantOrder, why: Localized): Violation | null {
  const x = delivered(r0(run), label, C(`детали заказа ${want.orderId}`, `details of order ${want.orderId}`));
  if (isViolation(x)) return x;
  const r = x;
  const d = orderDiff(r.value, want);
  return d ? v(`getOrderDetails(${want.orderId}): ${d}. ${why.ru}`, `getOrderDetails(${want.orderId}): ${d}. ${why.en}`, r.at) : null;
}

function expectNames(run: RunOutcome, label: string, orderId: number, userName: string | null, productNames: boolean | 'null', why: Localized): Violation | null {
  const x = delivered(r0(run), label, C(`детали заказа ${orderId}`, `details of order ${orderId}`));
  if (isViolation(x)) return x;
  const r = x;
  const d = namesDiff(r.value, userName, productNames);
  return d ? v(`getOrderDetails(${orderId}): ${d}. ${why.ru}`, `getOrderDetails(${orderId}): ${d}. ${why.en}`, r.at) : null;
}

const want = (orderId: number, userId: number, lines: Array<[number, number, number]>, status = 'CREATED'): WantOrder => ({
  orderId,
  userId,
  status,
  total: Math.round(lines.reduce((s, [, q, p]) => s + q * p, 0) * 100) / 100,
  items: lines.map(([productId, quantity, price]) => ({ productId, quantity, price })),
});

const MIGRATE = C(
  'Данные своего контекста переносятся при старте из монолита (legacy.exportRows) в свою БД; после отключения монолита сервис отвечает из своей БД.',
  'Your context\'s data is moved at start from the monolith (legacy.exportRows) into your own database; once the monolith is off, answer from your own database.',
);
const SNAPSHOT = C(
  'Строка заказа хранит цену, по которой купили (снимок), а не ссылается на текущую цену каталога.',
  'An order line keeps the price it was bought at (a snapshot), not a reference to the catalog\'s current price.',
);

function productDiff(value: any, p: (typeof LEGACY_PRODUCTS)[number], price = p.price): string {
  if (!value || value.ok !== true || !value.product) return `the reply is ${JSON.stringify(value)}`;
  const g = value.product;
  if (g.productId !== p.id) return `productId ${JSON.stringify(g.productId)} ≠ ${p.id}`;
  for (const [field, w] of [['name', p.name], ['description', p.description]] as const) if (g[field] !== w) return `${field} ${JSON.stringify(g[field])} ≠ ${JSON.stringify(w)}`;
  if (!close(g.price, price)) return `price ${JSON.stringify(g.price)} ≠ ${price}`;
  if (g.stock !== p.stock_quantity) return `stock ${JSON.stringify(g.stock)} ≠ ${p.stock_quantity} (the monolith's stock_quantity)`;
  return '';
}

/** The products as the final reads saw them (random runs) or after the cut-over. */
function catalogMatches(run: RunOutcome, labels: (id: number) => string, skipUndelivered = false): Violation | null {
  const r = r0(run);
  const changed = new Map(workload(run).priceChanges.map((c) => [c.productId, c]));
  for (const p of LEGACY_PRODUCTS) {
    if (changed.has(p.id)) continue; // its final price is the price-snapshot check's business
    if (skipUndelivered && !r.get(labels(p.id))?.delivered) continue; // a read that failed is random-faults' business
    const x = delivered(r, labels(p.id), C(`товар ${p.id}`, `product ${p.id}`));
    if (isViolation(x)) return x;
    const res = x;
    const d = productDiff(res.value, p);
    if (d) return v(`catalog.getProduct(${p.id}): ${d}. ${MIGRATE.ru}`, `catalog.getProduct(${p.id}): ${d}. ${MIGRATE.en}`, res.at);
  }
  return null;
}

function legacyOrdersMatch(run: RunOutcome, labels: (id: number) => string, skipUndelivered = false): Violation | null {
  const r = r0(run);
  for (const [id, w] of LEGACY_WANT) {
    if (skipUndelivered && r.get(labels(id))?.value?.ok !== true) continue;
    const x = expectOrder(run, labels(id), w, C(`${MIGRATE.ru} ${SNAPSHOT.ru}`, `${MIGRATE.en} ${SNAPSHOT.en}`));
    if (x) return x;
  }
  return null;
}

function placement(run: RunOutcome): Violation | null {
  if (run.random) {
    return (
      userDataStaysInUsers(run) ??
      catalogMatches(run, (id) => `f-p${id}`, true) ??
      legacyOrdersMatch(run, (id) => `f-d${id}`, true)
    );
  }
  if (run.scenario !== 'cutover') return userDataStaysInUsers(run); // new orders were placed here
  const r = r0(run);
  return first(
    () => catalogMatches(run, (id) => `p${id}`),
    () => expectReply(r, 'p-none', C("{ ok: false, error: 'NOT_FOUND' } для несуществующего товара", "{ ok: false, error: 'NOT_FOUND' } for an unknown product"), isRefusal('NOT_FOUND')),
    () => legacyOrdersMatch(run, (id) => `d${id}`),
    () => expectReply(r, 'd-none', C("{ ok: false, error: 'NOT_FOUND' } для несуществующего заказа", "{ ok: false, error: 'NOT_FOUND' } for an unknown order"), isRefusal('NOT_FOUND')),
    () => userDataStaysInUsers(run),
  );
}

function references(run: RunOutcome): Violation | null {
  const w = workload(run);
  if (run.random) {
    const r = r0(run);
    // Under faults the exact error is not this check's business (a wrong "not found" is random-faults'): only that nothing was accepted or written.
    for (const m of w.mustRefuse) {
      const x = r.get(m.label);
      const okAttempt = x?.attempts.find((a) => a.delivered && a.value && typeof a.value === 'object' && (a.value as { ok?: unknown }).ok === true);
      if (okAttempt)
        return v(
          `Заказ ${m.orderId} ссылается на несуществующего пользователя или товар, а orders ответил ok. Проверяйте ссылки через API владельца и при «не знаю» отвечайте UNAVAILABLE.`,
          `Order ${m.orderId} refers to a user or product that does not exist, yet orders answered ok. Check references through the owner's API, and answer UNAVAILABLE when you cannot know.`,
          okAttempt.at,
        );
    }
    return refusedLeaveNoRows(run, w.mustRefuse.map((m) => m.orderId));
  }
  const r = r0(run);
  const NOTHING = C('заказ не создан, ничего не записано', 'no order, nothing written');
  return first(
    () => expectReply(r, 'c-ok', C('{ ok: true, total: 30 } (пользователь 1 и товар 2 существуют)', '{ ok: true, total: 30 } (user 1 and product 2 exist)'), isOkOrder(30)),
    () => expectReply(r, 'c-ok-again', C('{ ok: true, total: 30 } — повтор того же orderId не создаёт второй заказ', '{ ok: true, total: 30 } — a repeat of the same orderId creates no second order'), isOkOrder(30)),
    () => expectReply(r, 'c-user', C(`{ ok: false, error: 'USER_NOT_FOUND' } (пользователя 77 нет; ${NOTHING.ru})`, `{ ok: false, error: 'USER_NOT_FOUND' } (there is no user 77; ${NOTHING.en})`), isRefusal('USER_NOT_FOUND')),
    () => expectReply(r, 'c-product', C(`{ ok: false, error: 'PRODUCT_NOT_FOUND' } (товара 99 нет; ${NOTHING.ru})`, `{ ok: false, error: 'PRODUCT_NOT_FOUND' } (there is no product 99; ${NOTHING.en})`), isRefusal('PRODUCT_NOT_FOUND')),
    () => expectReply(r, 'c-empty', C("{ ok: false, error: 'INVALID' } для заказа без позиций", "{ ok: false, error: 'INVALID' } for an order without lines"), isRefusal('INVALID')),
    () => expectReply(r, 'c-qty', C("{ ok: false, error: 'INVALID' } для количества 0", "{ ok: false, error: 'INVALID' } for quantity 0"), isRefusal('INVALID')),
    () => expectReply(r, 'reg', C('{ ok: true } от users.register', '{ ok: true } from users.register'), (x) => x?.ok === true),
    () =>
      expectReply(
        r,
        'c-new-user',
        C(
          '{ ok: true, total: 45 } — пользователь 4 зарегистрирован в users только что: проверяйте через users.getUser, а не по копии',
          '{ ok: true, total: 45 } — user 4 was registered in users just now: check through users.getUser, not against a copy',
        ),
        isOkOrder(45),
      ),
    () => expectOrder(run, 'd7101', want(7101, 1, [[2, 1, 30]]), C('Повтор createOrder с тем же orderId не добавляет позиций.', 'A repeated createOrder with the same orderId adds no lines.')),
    () => expectReply(r, 'd9101', C("{ ok: false, error: 'NOT_FOUND' } — отклонённого заказа нет", "{ ok: false, error: 'NOT_FOUND' } — a refused order does not exist"), isRefusal('NOT_FOUND')),
    () => expectReply(r, 'd9102', C("{ ok: false, error: 'NOT_FOUND' } — отклонённого заказа нет", "{ ok: false, error: 'NOT_FOUND' } — a refused order does not exist"), isRefusal('NOT_FOUND')),
    () => refusedLeaveNoRows(run, [9101, 9102, 9103, 9104]),
  );
}

/** Every ok details reply of a placed order shows prices the products had while the order was being placed. */
function snapshotsPlausible(run: RunOutcome): Violation | null {
  const r = r0(run);
  const placed = new Map<number, { lines: Array<{ productId: number; quantity: number }>; from: number; to: number }>();
  for (const x of r.values()) {
    if (x.method !== 'createOrder' || !x.delivered || x.value?.ok !== true) continue;
    const p = x.payload as { orderId: number; items: Array<{ productId: number; quantity: number }> };
    placed.set(p.orderId, { lines: p.items, from: x.startedAt, to: x.at });
  }
  for (const x of r.values()) {
    if (x.method !== 'getOrderDetails') continue;
    for (const a of x.attempts) {
      const o = a.delivered && a.value && typeof a.value === 'object' ? (a.value as { ok?: unknown; order?: any }).order : undefined;
      const p = o ? placed.get(o.orderId) : undefined;
      if (!o || !p || !Array.isArray(o.items)) continue;
      let sum = 0;
      for (const l of o.items as Array<{ productId: number; quantity: number; price: unknown }>) {
        const allowed = possiblePrices(run, l?.productId, p.from, p.to);
        if (!allowed.some((pr) => close(l?.price, pr)))
          return v(
            `getOrderDetails(${String(o.orderId)}): товар ${String(l?.productId)} по цене ${JSON.stringify(l?.price)}, а пока заказ оформлялся, каталог продавал его по ${allowed.join(' или ')}. ${SNAPSHOT.ru}`,
            `getOrderDetails(${String(o.orderId)}): product ${String(l?.productId)} at ${JSON.stringify(l?.price)}, while the catalog sold it at ${allowed.join(' or ')} when the order was placed. ${SNAPSHOT.en}`,
            a.at,
          );
        sum += Number(l.quantity) * Number(l.price);
      }
      if (!close(o.total, Math.round(sum * 100) / 100))
        return v(
          `getOrderDetails(${String(o.orderId)}): total ${JSON.stringify(o.total)}, а сумма строк ${Math.round(sum * 100) / 100}.`,
          `getOrderDetails(${String(o.orderId)}): total ${JSON.stringify(o.total)} but the lines add up to ${Math.round(sum * 100) / 100}.`,
          a.at,
        );
    }
  }
  return null;
}

function priceSnapshot(run: RunOutcome): Violation | null {
  const r = r0(run);
  if (run.random) {
    const w = workload(run);
    return (
      snapshotsPlausible(run) ??
      first(
        ...w.priceChanges.map((c) => () => {
          const x = r.get(c.label);
          if (!x?.delivered || x.value?.ok !== true) return null;
          const p = LEGACY_PRODUCTS.find((q) => q.id === c.productId)!;
          const f = r.get(`f-p${c.productId}`);
          if (!f?.delivered) return null; // the final read's own failure is random-faults' business
          const d = productDiff(f.value, p, c.price);
          return d
            ? v(`После подтверждённого setPrice(${c.productId}, ${c.price}) catalog.getProduct: ${d}.`, `After an acknowledged setPrice(${c.productId}, ${c.price}), catalog.getProduct: ${d}.`, f.at)
            : null;
        }),
      )
    );
  }
  return first(
    () => expectReply(r, 'w-order', C('{ ok: true, total: 130 } (2×50.0 + 1×30.0)', '{ ok: true, total: 130 } (2×50.0 + 1×30.0)'), isOkOrder(130)),
    () => expectReply(r, 'w-price', C('{ ok: true } от catalog.setPrice', '{ ok: true } from catalog.setPrice'), (x) => x?.ok === true),
    () => {
      const x = r.get('w-product');
      const d = productDiff(x?.value, LEGACY_PRODUCTS[0]!, 55);
      return d ? v(`После setPrice(1, 55.0) catalog.getProduct(1): ${d}.`, `After setPrice(1, 55.0), catalog.getProduct(1): ${d}.`, x?.at) : null;
    },
    () => expectOrder(run, 'w-details', want(7001, 2, [[1, 2, 50], [2, 1, 30]]), C(`Цена клавиатуры выросла до 55.0, а заказ 7001 по-прежнему стоит 130.0. ${SNAPSHOT.ru}`, `The keyboard now costs 55.0, yet order 7001 still costs 130.0. ${SNAPSHOT.en}`)),
    () => expectReply(r, 'w-order2', C('{ ok: true, total: 55 } — новый заказ по новой цене', '{ ok: true, total: 55 } — a new order at the new price'), isOkOrder(55)),
    () => expectOrder(run, 'w-details2', want(7002, 3, [[1, 1, 55]]), C('Новый заказ берёт цену из каталога в момент оформления.', 'A new order takes the catalog\'s price at the moment it is placed.')),
    () => expectOrder(run, 'w-legacy', LEGACY_WANT.get(1001)!, C(`Заказ 1001 купил клавиатуру по 45.00, когда она столько стоила. ${SNAPSHOT.ru}`, `Order 1001 bought the keyboard at 45.00, its price back then. ${SNAPSHOT.en}`)),
  );
}

const COMPOSE = C(
  'Детали заказа собираются из API (композиция вместо JOIN): имя пользователя — из users.getUser, названия — из catalog.getProduct, при каждом запросе.',
  'Order details are composed from the APIs (composition instead of a JOIN): the user\'s name from users.getUser, product names from catalog.getProduct, on every request.',
);

/** The user's current name at the final reads: the last acknowledged rename, or its original name. */
function currentName(run: RunOutcome, userId: number): string[] {
  const r = r0(run);
  const base = LEGACY_USERS.find((u) => u.id === userId)?.name ?? workload(run).registered.find((u) => u.userId === userId)?.name;
  const names = new Set<string>();
  let name = base;
  for (const c of workload(run).renames.filter((x) => x.userId === userId)) {
    const x = r.get(c.label);
    if (x?.delivered && x.value?.ok === true) name = c.name;
    else if (x) names.add(c.name); // maybe applied
  }
  if (name !== undefined) names.add(name);
  return [...names];
}

function composition(run: RunOutcome): Violation | null {
  if (run.random) {
    const r = r0(run);
    for (const label of workload(run).finalDetails) {
      const x = r.get(label);
      const o = x?.delivered ? x.value?.order : undefined;
      if (!o || typeof o !== 'object') continue; // not delivered: random-faults' business
      const names = currentName(run, o.userId);
      const d = names.map((n) => namesDiff(x!.value, n, true)).find((s) => s === '') ?? namesDiff(x!.value, names[0] ?? null, true);
      if (d) return v(`Итоговое чтение getOrderDetails(${String(o.orderId)}) после отказов: ${d}. ${COMPOSE.ru}`, `Final getOrderDetails(${String(o.orderId)}) after the faults: ${d}. ${COMPOSE.en}`, x!.at);
    }
    return null;
  }
  const r = r0(run);
  return first(
    () => expectNames(run, 'k-details', 7011, 'Chen Wei', true, COMPOSE),
    () => expectNames(run, 'k-legacy', 1002, 'Boris Ivanov', true, COMPOSE),
    () => expectReply(r, 'k-rename', C('{ ok: true } от users.rename', '{ ok: true } from users.rename'), (x) => x?.ok === true),
    () => expectNames(run, 'k-details2', 7011, 'Chen Wei-Lin', true, C(`Пользователь 3 сменил имя в users. ${COMPOSE.ru} Копия имени в заказе устаревает.`, `User 3 changed their name in users. ${COMPOSE.en} A copy of the name in the order goes stale.`)),
    () => expectNames(run, 'k-legacy2', 1004, 'Chen Wei-Lin', true, C(`Пользователь 3 сменил имя в users. ${COMPOSE.ru}`, `User 3 changed their name in users. ${COMPOSE.en}`)),
  );
}

function schemaChange(run: RunOutcome): Violation | null {
  const r = r0(run);
  const API = C(
    'Users переименовал свою внутреннюю таблицу (users → accounts) и поле (name → full_name), но его API не изменился: сервис, который ходит только через API, этого не замечает.',
    'Users renamed its internal table (users → accounts) and field (name → full_name), but its API did not change: a service that uses only the API does not notice.',
  );
  return first(
    () => expectReply(r, 's-order1', C('{ ok: true, total: 30 }', '{ ok: true, total: 30 }'), isOkOrder(30)),
    () => expectNames(run, 's-details1', 7201, 'Anna Smirnova', false, COMPOSE),
    () => {
      const x = r.get('s-order2');
      const refused = x?.attempts.find((a) => a.delivered && isRefusal('USER_NOT_FOUND')(a.value));
      if (refused)
        return v(
          'Заказ 7202 пользователя 3 (он существует) отклонён как USER_NOT_FOUND: запрос к users оборвался на перевыкатке и остался без ответа. «Не ответил» — это не «нет такого пользователя»: ответьте UNAVAILABLE или повторите запрос.',
          'Order 7202 of user 3 (who exists) was refused as USER_NOT_FOUND: the users lookup was cut off by the redeploy and never answered. "No answer" is not "no such user": answer UNAVAILABLE or ask again.',
          refused.at,
        );
      return expectReply(r, 's-order2', C('{ ok: true, total: 15 } (после повторов клиента при UNAVAILABLE)', '{ ok: true, total: 15 } (the client retries on UNAVAILABLE)'), isOkOrder(15));
    },
    () => expectReply(r, 's-order3', C(`{ ok: true, total: 50 } после перевыкатки users. ${API.ru}`, `{ ok: true, total: 50 } after users was redeployed. ${API.en}`), isOkOrder(50)),
    () => expectOrder(run, 's-details2', want(7202, 3, [[4, 2, 7.5]]), API),
    () => expectNames(run, 's-details2', 7202, 'Chen Wei', false, API),
    () => expectNames(run, 's-details3', 7203, 'Boris Ivanov', false, API),
    () => expectNames(run, 's-details-legacy', 1003, 'Anna Smirnova', false, API),
    () => expectReply(r, 's-rename', C('{ ok: true } от users.rename (новая версия)', '{ ok: true } from users.rename (the new version)'), (x) => x?.ok === true),
    () => expectNames(run, 's-details4', 7201, 'Anna Petrova', false, C(`Имя сменилось уже в новой версии users. ${API.ru}`, `The name changed in the new version of users. ${API.en}`)),
  );
}

/** The first attempt of `label` answered in time with `pred`. */
function firstAttempt(run: RunOutcome, label: string, budgetMs: number, what: Localized, pred: (x: any) => boolean): Violation | null {
  const x = r0(run).get(label);
  const a = x?.attempts[0];
  if (!a) return v(`Нет результата шага «${label}».`, `No result for step "${label}".`);
  if (!a.delivered || took(a) > budgetMs)
    return v(
      `Шаг «${label}» (${what.ru}): ${a.delivered ? `ответ пришёл через ${took(a)} мс` : `ответа нет (${String(a.error)}) за ${took(a)} мс`}, а обещано не дольше ${budgetMs} мс. Недоступная зависимость не должна подвешивать ваш сервис: короткий таймаут, один раунд запросов.`,
      `Step "${label}" (${what.en}): ${a.delivered ? `answered after ${took(a)} ms` : `no answer (${String(a.error)}) after ${took(a)} ms`}, but at most ${budgetMs} ms is promised. An unreachable dependency must not hang your service: a short timeout, one round of requests.`,
      a.at,
    );
  if (!pred(a.value))
    return v(`Шаг «${label}»: ожидалось ${what.ru}, получено ${JSON.stringify(a.value)}.`, `Step "${label}": expected ${what.en}, got ${JSON.stringify(a.value)}.`, a.at);
  return null;
}

function degraded(run: RunOutcome): Violation | null {
  const r = r0(run);
  const UNAV = C(
    "{ ok: false, error: 'UNAVAILABLE' }: проверить ссылку нельзя — заказ не создаётся, клиент повторит позже",
    "{ ok: false, error: 'UNAVAILABLE' }: the reference cannot be checked — no order is created, the client retries later",
  );
  if (run.scenario === 'users-partitioned') {
    const NULL_USER = C(
      'Пока users недоступен, детали заказа всё равно отдаются — из своих данных, с user: null.',
      'While users is unreachable, order details are still served — from your own data, with user: null.',
    );
    return first(
      () => expectReply(r, 'u-order', C('{ ok: true, total: 110 }', '{ ok: true, total: 110 }'), isOkOrder(110)),
      () => firstAttempt(run, 'u-details', DETAILS_BUDGET_MS, C('детали заказа 7301 с user: null', 'details of order 7301 with user: null'), (x) => x?.ok === true),
      () => expectOrder(run, 'u-details', want(7301, 1, [[1, 1, 50], [2, 2, 30]]), NULL_USER),
      () => expectNames(run, 'u-details', 7301, null, true, NULL_USER),
      () => firstAttempt(run, 'u-details-legacy', DETAILS_BUDGET_MS, C('детали заказа 1002 с user: null', 'details of order 1002 with user: null'), (x) => x?.ok === true),
      () => expectOrder(run, 'u-details-legacy', LEGACY_WANT.get(1002)!, NULL_USER),
      () => expectNames(run, 'u-details-legacy', 1002, null, true, NULL_USER),
      () => {
        const x = r.get('u-order-ghost');
        const bad = x?.attempts.find((a) => a.delivered && (a.value as { ok?: unknown } | null)?.ok === true);
        return bad
          ? v(
              'Заказ 9301 пользователя 88 (его нет) создан, пока users был недоступен: заказ без проверенного пользователя создавать нельзя.',
              'Order 9301 of user 88 (who does not exist) was created while users was unreachable: never create an order for a user you could not verify.',
              bad.at,
            )
          : null;
      },
      () => refusedLeaveNoRows(run, [9301]),
      () => firstAttempt(run, 'u-order-valid', CREATE_BUDGET_MS, UNAV, unavailable),
      () => firstAttempt(run, 'u-order-ghost', CREATE_BUDGET_MS, UNAV, unavailable),
      () => expectReply(r, 'u-order-valid', C('{ ok: true, total: 30 } после восстановления сети', '{ ok: true, total: 30 } once the network healed'), isOkOrder(30)),
      () => expectReply(r, 'u-order-ghost', C("{ ok: false, error: 'USER_NOT_FOUND' } после восстановления сети", "{ ok: false, error: 'USER_NOT_FOUND' } once the network healed"), isRefusal('USER_NOT_FOUND')),
      () => expectOrder(run, 'u-details-after', want(7301, 1, [[1, 1, 50], [2, 2, 30]]), C('', '')),
      () => expectNames(run, 'u-details-after', 7301, 'Anna Smirnova', true, C('Сеть восстановилась: имя снова приходит из users.', 'The network healed: the name comes from users again.')),
    );
  }
  const NULL_NAMES = C(
    'Пока catalog недоступен, детали заказа всё равно отдаются: количество и цена — свои данные заказа, а название товара — null.',
    'While catalog is unreachable, order details are still served: quantity and price are the order\'s own data, the product name is null.',
  );
  return first(
    () => expectReply(r, 'g-order', C('{ ok: true, total: 52.5 }', '{ ok: true, total: 52.5 }'), isOkOrder(52.5)),
    () => firstAttempt(run, 'g-details', DETAILS_BUDGET_MS, C('детали заказа 7401 с названиями null', 'details of order 7401 with null names'), (x) => x?.ok === true),
    () => expectOrder(run, 'g-details', want(7401, 2, [[6, 1, 45], [4, 1, 7.5]]), NULL_NAMES),
    () => expectNames(run, 'g-details', 7401, 'Boris Ivanov', 'null', NULL_NAMES),
    () =>
      firstAttempt(
        run,
        'g-order2',
        CREATE_BUDGET_MS,
        C("{ ok: false, error: 'UNAVAILABLE' }: без каталога нет ни проверки товара, ни цены", "{ ok: false, error: 'UNAVAILABLE' }: without catalog there is neither a product check nor a price"),
        unavailable,
      ),
    () => expectReply(r, 'g-order2', C('{ ok: true, total: 30 } после восстановления сети', '{ ok: true, total: 30 } once the network healed'), isOkOrder(30)),
    () => expectNames(run, 'g-details-after', 7401, 'Boris Ivanov', true, C('Сеть восстановилась: названия снова приходят из catalog.', 'The network healed: the names come from catalog again.')),
  );
}

/** Random runs: every valid order is placed once the faults are over, and what orders acknowledged is what it stores. */
function randomFaults(run: RunOutcome): Violation | null {
  const r = r0(run);
  const w = workload(run);
  for (const label of w.mustPlace) {
    const x = r.get(label);
    const p = x?.payload as { orderId: number; userId: number; items: Array<{ productId: number; quantity: number }> } | undefined;
    if (!x || !p) continue;
    const refusal = x.attempts.find((a) => a.delivered && notOk(a.value) && !unavailable(a.value));
    if (refusal)
      return v(
        `Заказ ${p.orderId} корректен (пользователь ${p.userId} и товары существуют), но orders ответил ${JSON.stringify(refusal.value)}. Во время отказов — UNAVAILABLE, не «не найдено»; до окончания переноса данных — тоже UNAVAILABLE.`,
        `Order ${p.orderId} is valid (user ${p.userId} and the products exist), but orders answered ${JSON.stringify(refusal.value)}. During faults answer UNAVAILABLE, not "not found"; until your data migration is complete, UNAVAILABLE too.`,
        refusal.at,
      );
    if (!x.delivered || x.value?.ok !== true)
      return v(
        `Заказ ${p.orderId} так и не был принят (последний ответ: ${x.delivered ? JSON.stringify(x.value) : String(x.error)}), хотя после окончания отказов клиент повторял запрос ещё больше секунды.`,
        `Order ${p.orderId} was never accepted (last answer: ${x.delivered ? JSON.stringify(x.value) : String(x.error)}), although the client kept retrying for over a second after the faults ended.`,
        x.at,
      );
    const f = r.get(`f-d${p.orderId}`);
    if (!f?.delivered || f.value?.ok !== true)
      return v(
        `Итоговое чтение getOrderDetails(${p.orderId}) после отказов не удалось: ${f?.delivered ? JSON.stringify(f.value) : String(f?.error)}.`,
        `The final getOrderDetails(${p.orderId}) after the faults failed: ${f?.delivered ? JSON.stringify(f.value) : String(f?.error)}.`,
        f?.at,
      );
    const o = f.value.order;
    if (!close(o?.total, Number(x.value.total)))
      return v(
        `orders подтвердил заказ ${p.orderId} с total ${JSON.stringify(x.value.total)}, а в деталях total ${JSON.stringify(o?.total)}.`,
        `orders acknowledged order ${p.orderId} with total ${JSON.stringify(x.value.total)}, but its details say ${JSON.stringify(o?.total)}.`,
        f.at,
      );
    const key = (l: { productId: unknown; quantity: unknown }) => `${String(l?.productId)}×${String(l?.quantity)}`;
    const gotLines = (Array.isArray(o?.items) ? (o.items as Array<{ productId: unknown; quantity: unknown }>) : []).map(key).sort().join(', ');
    const wantLines = p.items.map(key).sort().join(', ');
    if (gotLines !== wantLines)
      return v(
        `Заказ ${p.orderId}: строки [${gotLines}], а заказано [${wantLines}]. Повторы запроса (тот же orderId) не должны добавлять строк.`,
        `Order ${p.orderId}: lines [${gotLines}], but [${wantLines}] was ordered. Retries of the request (same orderId) must not add lines.`,
        f.at,
      );
  }
  for (const label of [...w.finalProducts, ...w.finalDetails]) {
    const x = r.get(label);
    if (x && (!x.delivered || x.value?.ok !== true))
      return v(
        `Итоговое чтение «${label}» после окончания отказов так и не удалось (${x.delivered ? JSON.stringify(x.value) : String(x.error)}): после восстановления сервисы должны отвечать.`,
        `The final read "${label}" after the faults ended never succeeded (${x.delivered ? JSON.stringify(x.value) : String(x.error)}): once the faults are over the services must answer.`,
        x.at,
      );
  }
  return null;
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const DB_PER_SERVICE = C('Базовый уровень: каждый сервис владеет своими данными (Database per Service)', 'Basic: each service owns its data (Database per Service)');
const NO_DIRECT = C('Базовый уровень: нет прямого доступа к чужой БД — только через API сервиса', 'Basic: no direct access to another service\'s database — only through its API');
const DECOMPOSE = C('Продвинутый уровень: декомпозиция по bounded contexts (снимок цены, композиция вместо JOIN)', 'Advanced: decomposition by bounded contexts (price snapshot, composition instead of a JOIN)');
const INDEPENDENT = C(
  'Экспертный уровень: независимое развёртывание и работа при недоступных зависимостях',
  'Expert: independent deployment and operation while dependencies are unreachable',
);

const checks: CheckSpec[] = [
  {
    id: 'placement',
    title: C(
      'Данные разнесены по владельцам: товары и остатки — в catalog, заказы и их строки — в orders, личные данные — только в users',
      'Data placed with its owners: products and stock in catalog, orders and their lines in orders, personal data only in users',
    ),
    points: 20,
    level: 'basic',
    criterion: DB_PER_SERVICE,
    scenarios: ['cutover', 'worked-example'],
    random: true,
    verify: placement,
  },
  {
    id: 'references',
    title: C(
      'Ссылки проверяются через API: несуществующий пользователь или товар — отказ, и ничего не записано',
      'References are checked through the APIs: an unknown user or product is refused, and nothing is written',
    ),
    points: 20,
    level: 'basic',
    criterion: NO_DIRECT,
    scenarios: ['references'],
    random: true,
    verify: references,
  },
  {
    id: 'own-database',
    title: C('Catalog и orders не обращаются к чужим базам данных', 'Catalog and orders never touch another service\'s database'),
    points: 10,
    level: 'basic',
    criterion: NO_DIRECT,
    scenarios: ['cutover', 'worked-example', 'users-redeploy'],
    random: true,
    verify: noOwnershipViolation,
  },
  {
    id: 'price-snapshot',
    title: C('Снимок цены: заказ 2×50.0 + 1×30.0 остаётся 130.0 после изменения цены', 'Price snapshot: the order 2×50.0 + 1×30.0 stays 130.0 after a price change'),
    points: 15,
    level: 'advanced',
    criterion: DECOMPOSE,
    scenarios: ['worked-example'],
    random: true,
    verify: priceSnapshot,
  },
  {
    id: 'composition',
    title: C('Детали заказа — композицией API: имя из users, названия из catalog', 'Order details by API composition: the name from users, product names from catalog'),
    points: 10,
    level: 'advanced',
    criterion: DECOMPOSE,
    scenarios: ['worked-example'],
    random: true,
    verify: composition,
  },
  {
    id: 'schema-change',
    title: C(
      'Users меняет внутреннюю схему при перевыкатке — заказы и детали работают как прежде',
      'Users changes its internal schema in a redeploy — orders and details work as before',
    ),
    points: 10,
    level: 'expert',
    criterion: INDEPENDENT,
    scenarios: ['users-redeploy'],
    random: false,
    verify: schemaChange,
  },
  {
    id: 'degraded',
    title: C(
      'Зависимость недоступна: детали за 300 мс с null вместо чужих данных, заказы — UNAVAILABLE, без непроверенных ссылок',
      'A dependency is unreachable: details within 300 ms with null for its data, orders answer UNAVAILABLE, no unverified references',
    ),
    points: 10,
    level: 'expert',
    criterion: INDEPENDENT,
    scenarios: ['users-partitioned', 'catalog-partitioned'],
    random: false,
    verify: degraded,
  },
  {
    id: 'random-faults',
    title: C(
      'Случайные отказы: перенос данных завершается, корректные заказы принимаются ровно один раз, ответы сходятся с данными',
      'Random faults: the migration completes, valid orders are placed exactly once, replies match the data',
    ),
    points: 5,
    level: 'expert',
    criterion: INDEPENDENT,
    scenarios: [],
    random: true,
    verify: randomFaults,
  },
];

// ---------------------------------------------------------------------------
// Random runs
// ---------------------------------------------------------------------------

export const RANDOM_SCHEDULE: ScheduleOptions = {
  services: ['catalog', 'orders', 'users', 'legacy'],
  nodes: ['catalog', 'client', 'legacy', 'orders', 'users'],
  horizonMs: 1500,
  episodes: 2,
  maxEpisodes: 5,
  minDowntimeMs: 10,
  maxDowntimeMs: 1200,
  downtime: 'mostly-short',
};

/** One random run's workload: the calls start at seed-drawn times while faults happen; final reads after the faults. */
export function randomSetup(seed: number): ScenarioSetup {
  const quiet = Math.max(quietTime(generateSchedule(seed, RANDOM_SCHEDULE)), RANDOM_SCHEDULE.horizonMs);
  const rng = new Prng(seed, 'workload');
  const at = (from: number, to: number) => Math.round(from + rng.next() * (to - from));
  const until = quiet + 1200;
  const place = (label: string, orderId: number, userId: number, lines: Lines, from: number, to: number) => createOrder(label, orderId, userId, lines, { at: at(from, to), ...retryUnavailable(until) });
  const final = quiet + 200;
  const finalUntil = quiet + 2500;
  // Final reads: the new orders, and the first and last of the migrated rows (enough to see a migration cut short).
  const orderIds = [1001, 1004, 7501, 7502, 7503];
  const productIds = [1, 3, 6];
  const data: Workload = {
    registered: [],
    priceChanges: [{ label: 'r-price', productId: 1, price: 55 }],
    renames: [{ label: 'r-rename', userId: 2, name: 'Boris Petrov' }],
    mustPlace: ['r-o1', 'r-o2', 'r-o3'],
    mustRefuse: [
      { label: 'r-ghost', orderId: 9501, error: 'USER_NOT_FOUND' },
      { label: 'r-badp', orderId: 9502, error: 'PRODUCT_NOT_FOUND' },
    ],
    finalProducts: productIds.map((id) => `f-p${id}`),
    finalDetails: orderIds.map((id) => `f-d${id}`),
  };
  const steps: ScriptedStep[] = [
    [
      place('r-o1', 7501, 1, [[1, 2], [2, 1]], 0, 300),
      place('r-o2', 7502, 2, [[3, 1]], 100, 900),
      place('r-o3', 7503, 3, [[1, 1], [6, 1]], 200, 1400),
      place('r-ghost', 9501, 66, [[2, 1]], 0, 1200),
      place('r-badp', 9502, 3, [[4, 1], [77, 1]], 0, 1200),
      setPrice('r-price', 1, 55, { at: at(200, 1000), ...retryUntilOk(until) }),
      rename('r-rename', 2, 'Boris Petrov', { at: at(0, 1400), ...retryUntilOk(until) }),
      details('r-d1', 7501, { at: at(400, 1500) }),
    ],
    [
      ...productIds.map((id) => getProduct(`f-p${id}`, id, { at: final, ...retryUntilOk(finalUntil) })),
      ...orderIds.map((id) => details(`f-d${id}`, id, { at: final, ...retryUntilOk(finalUntil) })),
    ],
  ];
  return world(steps, data);
}

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
  chapter: 1,
  order: 1,
  title: C('Database per Service: декомпозиция БД интернет-магазина', 'Database per Service: decomposing a shop\'s database'),
  summary: C(
    'Разделите монолитную БД магазина (users, products, orders, order_items) по bounded contexts: перенесите данные в catalog и orders, проверяйте ссылки через API, храните снимок цены, собирайте детали заказа композицией API и переживите перевыкатку и недоступность соседей.',
    'Split the shop\'s monolith database (users, products, orders, order_items) by bounded context: move the data into catalog and orders, check references through the APIs, keep a price snapshot, compose order details from the APIs, and survive a neighbour\'s redeploy and outages.',
  ),
  criteria: [DB_PER_SERVICE, NO_DIRECT, DECOMPOSE, INDEPENDENT],
  rubric: true,
  learnerServices: [
    { service: 'catalog', exportName: 'catalog' },
    { service: 'orders', exportName: 'orders' },
  ],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: randomSetup,
    schedule: RANDOM_SCHEDULE,
  },
  checks,
  hints: [
    hint(
      'При старте перенесите свою часть монолита: legacy.exportRows({ table, afterId, limit }) страница за страницей (повторяйте при таймауте). Пишите страницу и отметку «докуда перенесено» в одной транзакции — после рестарта продолжите с неё.',
      'At start, move your part of the monolith: legacy.exportRows({ table, afterId, limit }) page by page (retry on a timeout). Write each page and a "copied up to" mark in one transaction — after a restart, continue from it.',
      ['placement', 'random-faults'],
    ),
    hint(
      'Пока перенос не закончен, отвечайте UNAVAILABLE на то, чего ещё нет, а не NOT_FOUND: «ещё не скопировано» — не то же самое, что «не существует».',
      'Until the migration is complete, answer UNAVAILABLE for what you do not have yet, not NOT_FOUND: "not copied yet" is not "does not exist".',
      ['random-faults'],
    ),
    hint(
      'createOrder: спросите users.getUser и catalog.getProduct (параллельно), и только если оба ответили — пишите заказ и все его строки одной транзакцией, с ценой из каталога в этот момент.',
      'createOrder: ask users.getUser and catalog.getProduct (in parallel), and only when both answered write the order and all its lines in one transaction, with the catalog\'s price at that moment.',
      ['references', 'price-snapshot'],
    ),
    hint(
      'Ответ { ok: false, error: "NOT_FOUND" } — это «нет такого»; таймаут или ошибка вызова — «не знаю» (isRpcTimeout, isRemoteError из @mdl/db-per-service-decomposition): отвечайте UNAVAILABLE.',
      'A { ok: false, error: "NOT_FOUND" } reply means "no such thing"; a timeout or a failed call means "I do not know" (isRpcTimeout, isRemoteError from @mdl/db-per-service-decomposition): answer UNAVAILABLE.',
      ['degraded', 'schema-change', 'random-faults'],
    ),
    hint(
      'getOrderDetails: свои данные (строки, цены, total) — из своей БД; имя и названия — запросами к users и catalog с коротким таймаутом (≈100 мс), один раунд параллельно; не ответил — null.',
      'getOrderDetails: your own data (lines, prices, total) from your database; the name and product names from users and catalog with a short timeout (≈100 ms), one parallel round; no answer — null.',
      ['composition', 'degraded'],
    ),
    hint(
      'Email и хеш пароля пользователя не копируйте никуда: users отдаёт их в getUser, но хранить их — не ваше дело. Храните userId.',
      'Never copy a user\'s email or password hash: users returns the email in getUser, but storing it is not your business. Keep the userId.',
      ['placement'],
    ),
  ],
  sim: { maxEvents: 100_000, maxTime: 10_000 },
};

/** A hint naming the checks it addresses (the UI links them). */
function hint(ru: string, en: string, checks: string[]): Localized {
  const h = { ru, en, checks };
  return h;
}

export default exercise;

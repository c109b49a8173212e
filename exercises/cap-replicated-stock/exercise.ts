/**
 * Exercise "cap-replicated-stock" (course chapter 2, "CAP in practice" and
 * BASE): one learner export, `replica`, runs in two data centres as
 * `stock-eu` and `stock-us`; a shop in each data centre calls its local
 * replica. Stock must never be oversold (CP: the side that cannot reach a
 * product's home answers UNAVAILABLE fast); carts always take adds and
 * converge after a partition heals (AP). The grade comes from what the shops
 * observe, never from a declared CP/AP label. Properties: properties.ts.
 */
import type { Json } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, ScenarioSetup, Violation } from '../../src/grading/types.ts';
import type { ScriptedCall, ScriptedStep } from '../../src/grading/scripted-client.ts';
import { generateSchedule, quietTime, type FaultSchedule, type ScheduleOptions } from '../../src/sim/nemesis.ts';
import { Prng } from '../../src/sim/prng.ts';
import { shops, stockRows, type Replica, type Stock } from './services.ts';
import {
  acknowledged,
  C,
  CART_BUDGET_MS,
  cartsConverge,
  CONVERGE_MS,
  exactAccounting,
  first,
  firstAttemptIs,
  homeOf,
  localCartRead,
  noOversell,
  RESERVE_BUDGET_MS,
  results,
  reserves,
  v,
  workload,
  type CartRead,
  type Workload,
} from './properties.ts';

export const ID = 'cap-replicated-stock';

// ---------------------------------------------------------------------------
// Script helpers (each shop calls its own replica)
// ---------------------------------------------------------------------------

type Over = Partial<Omit<ScriptedCall, 'label' | 'to' | 'method' | 'payload'>>;

const reserve = (replica: Replica, label: string, productId: string, quantity: number, over: Over = {}, reservationId = label): ScriptedCall => ({
  label,
  to: replica,
  method: 'reserve',
  payload: { reservationId, productId, quantity },
  ...over,
});
const add = (replica: Replica, label: string, cartId: string, lineId: string, productId: string, quantity: number, over: Over = {}): ScriptedCall => ({
  label,
  to: replica,
  method: 'addToCart',
  payload: { cartId, lineId, productId, quantity },
  ...over,
});
const getCart = (replica: Replica, label: string, cartId: string, over: Over = {}): ScriptedCall => ({ label, to: replica, method: 'getCart', payload: { cartId }, ...over });

const notDefinitive = (x: any) => !(x && typeof x === 'object' && (x.ok === true || x.error === 'OUT_OF_STOCK' || x.error === 'INVALID'));
const unavailable = (x: any) => !!x && typeof x === 'object' && x.ok === false && x.error === 'UNAVAILABLE';
/** A shop repeats a reservation (same reservationId) until it gets a definitive answer. */
const untilDefinitive = (untilMs: number, pauseMs = 300): Over => ({ retry: { untilMs, pauseMs, on: notDefinitive } });
/** A shop repeats an add (same lineId) it got no answer to. */
const untilAcked = (untilMs: number, pauseMs = 150): Over => ({ retry: { untilMs, pauseMs, on: unavailable } });

/** Both replicas' reads of a cart at the same moment. */
const cartReads = (cartId: string, at: number, prefix: string): { calls: Record<Replica, ScriptedCall>; read: CartRead } => {
  const labels = { 'stock-eu': `${prefix}-eu-${cartId}`, 'stock-us': `${prefix}-us-${cartId}` } as Record<Replica, string>;
  return {
    calls: { 'stock-eu': getCart('stock-eu', labels['stock-eu'], cartId, { at }), 'stock-us': getCart('stock-us', labels['stock-us'], cartId, { at }) },
    read: { cartId, labels },
  };
};

/**
 * A flash sale: every message takes exactly 2 ms, so reservations sent together reach the home
 * at the same instant and read the same stock (a lost update is certain, not a matter of luck).
 */
const SAME_INSTANT = { network: { latency: { kind: 'fixed' as const, ms: 2 } } };

const DC_PARTITION = (from: number, to: number): FaultSchedule => [
  { at: from, kind: 'partition', groups: [['shop-eu', 'stock-eu'], ['shop-us', 'stock-us']] },
  { at: to, kind: 'heal' },
];

function world(stock: Stock, scripts: Record<Replica, ScriptedStep[]>, data: Partial<Workload>, extra: Omit<ScenarioSetup, 'services' | 'data' | 'initialRows'> = {}): ScenarioSetup {
  const w: Workload = { stock, partition: null, finalCarts: [], definitive: false, ...data };
  return { services: shops(scripts), initialRows: stockRows(stock), data: w as unknown as Json, ...extra };
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const BASIC_STOCK: Stock = { 'stock-eu': { phone: 5 }, 'stock-us': { laptop: 2 } };
const PARTITION_STOCK: Stock = { 'stock-eu': { phone: 3 }, 'stock-us': { laptop: 2 } };
const PARTITION = { from: 100, to: 2100 };

function basicScenario(): ScenarioSetup {
  const converge = cartReads('c-1', 600, 'b');
  return world(
    BASIC_STOCK,
    {
      'stock-eu': [
        ['b-e1', 'b-e2', 'b-e3', 'b-e4'].map((l) => reserve('stock-eu', l, 'phone', 1, { at: 50 })),
        add('stock-eu', 'b-add-e', 'c-1', 'c1-e', 'phone', 1, { at: 60 }),
        reserve('stock-eu', 'b-laptop-e', 'laptop', 1, { at: 450 }),
        reserve('stock-eu', 'b-e1-again', 'phone', 1, { at: 500 }, 'b-e1'),
        reserve('stock-eu', 'b-unknown', 'tablet', 1, { at: 520 }),
        reserve('stock-eu', 'b-invalid', 'phone', 0, { at: 540 }),
        converge.calls['stock-eu'],
      ],
      'stock-us': [
        ['b-u1', 'b-u2', 'b-u3'].map((l) => reserve('stock-us', l, 'phone', 1, { at: 50 })),
        add('stock-us', 'b-add-u', 'c-1', 'c1-u', 'laptop', 1, { at: 60 }),
        reserve('stock-us', 'b-laptop-u', 'laptop', 2, { at: 400 }),
        reserve('stock-us', 'b-unknown-u', 'tablet', 2, { at: 520 }),
        converge.calls['stock-us'],
      ],
    },
    { finalCarts: [converge.read] },
    { sim: SAME_INSTANT },
  );
}

function partitionScenario(): ScenarioSetup {
  const until = PARTITION.to + 3000;
  const mid = cartReads('c-7', 1500, 'mid');
  const c7 = cartReads('c-7', PARTITION.to + CONVERGE_MS, 'conv');
  const c8 = cartReads('c-8', PARTITION.to + CONVERGE_MS, 'conv');
  return world(
    PARTITION_STOCK,
    {
      'stock-eu': [
        [
          reserve('stock-eu', 'p-e1', 'phone', 1, { at: 200 }),
          reserve('stock-eu', 'p-e2', 'phone', 1, { at: 200 }),
          reserve('stock-eu', 'p-el1', 'laptop', 1, { at: 250, ...untilDefinitive(until) }),
          reserve('stock-eu', 'p-el2', 'laptop', 1, { at: 250, ...untilDefinitive(until) }),
          add('stock-eu', 'p-add-e1', 'c-7', 'c7-e1', 'phone', 1, { at: 300 }),
          add('stock-eu', 'p-add-e2', 'c-7', 'c7-e2', 'mouse', 2, { at: 600 }),
          add('stock-eu', 'p-add-e3', 'c-7', 'c7-e3', 'phone', 1, { at: 900 }),
          mid.calls['stock-eu'],
          c7.calls['stock-eu'],
          c8.calls['stock-eu'],
        ],
        reserve('stock-eu', 'p-drain-e', 'phone', 1, { ...untilDefinitive(until + 2000) }),
      ],
      'stock-us': [
        [
          reserve('stock-us', 'p-u1', 'phone', 1, { at: 200, ...untilDefinitive(until) }),
          reserve('stock-us', 'p-u2', 'phone', 1, { at: 200, ...untilDefinitive(until) }),
          reserve('stock-us', 'p-u3', 'phone', 1, { at: 200, ...untilDefinitive(until) }),
          reserve('stock-us', 'p-ul1', 'laptop', 1, { at: 220 }),
          add('stock-us', 'p-add-u1', 'c-7', 'c7-u1', 'laptop', 1, { at: 350 }),
          add('stock-us', 'p-add-u2', 'c-7', 'c7-u2', 'phone', 3, { at: 700 }),
          add('stock-us', 'p-add-u3', 'c-8', 'c8-u3', 'mouse', 1, { at: 800 }),
          mid.calls['stock-us'],
          c7.calls['stock-us'],
          c8.calls['stock-us'],
        ],
        reserve('stock-us', 'p-drain-u', 'laptop', 1, { ...untilDefinitive(until + 2000) }),
      ],
    },
    { partition: PARTITION, finalCarts: [c7.read, c8.read] },
    { faults: DC_PARTITION(PARTITION.from, PARTITION.to), sim: SAME_INSTANT },
  );
}

function crashScenario(): ScenarioSetup {
  const c9 = cartReads('c-9', 1000 + CONVERGE_MS, 'crash');
  return world(
    PARTITION_STOCK,
    {
      'stock-eu': [[add('stock-eu', 'x-add-e1', 'c-9', 'c9-e1', 'phone', 1, { at: 220 }), c9.calls['stock-eu']]],
      'stock-us': [[add('stock-us', 'x-add-u1', 'c-9', 'c9-u1', 'laptop', 1, { at: 200 }), add('stock-us', 'x-add-u2', 'c-9', 'c9-u2', 'mouse', 1, { at: 250 }), c9.calls['stock-us']]],
    },
    { partition: { from: 100, to: 1000 }, finalCarts: [c9.read] },
    {
      faults: [
        ...DC_PARTITION(100, 1000),
        { at: 400, kind: 'crash', service: 'stock-us' },
        { at: 700, kind: 'restart', service: 'stock-us' },
      ],
    },
  );
}

const scenarios: ExerciseDefinition['scenarios'] = [
  { id: 'no-partition', title: C('Без отказов: резервы с обеих сторон одновременно, корзина с двух сторон', 'No faults: reservations from both sides at once, one cart from both sides'), seed: 21, setup: basicScenario },
  {
    id: 'partition',
    title: C('Дата-центры разделены сетью на 2 с: резервы и корзины с обеих сторон', 'The data centres are partitioned for 2 s: reservations and carts on both sides'),
    seed: 22,
    setup: partitionScenario,
  },
  {
    id: 'replica-crash',
    title: C('Во время разделения stock-us принимает добавления в корзину и падает', 'During the partition stock-us takes cart adds and crashes'),
    seed: 23,
    setup: crashScenario,
  },
];

// ---------------------------------------------------------------------------
// Check bodies
// ---------------------------------------------------------------------------

const r0 = (run: RunOutcome) => results(run);
const isOk = (x: any) => !!x && typeof x === 'object' && x.ok === true;
const isErr = (e: string) => (x: any) => !!x && typeof x === 'object' && x.ok === false && x.error === e;

const CP = C(
  'Резерв остатка — CP: решает только реплика-владелец товара (у кого есть его строка в stock); другая реплика спрашивает её.',
  'Reserving stock is CP: only the product\'s home replica (the one whose stock table has its row) decides; the other replica asks it.',
);

function reserveBasic(run: RunOutcome): Violation | null {
  const r = r0(run);
  const labels = ['b-e1', 'b-e2', 'b-e3', 'b-e4', 'b-u1', 'b-u2', 'b-u3'];
  const CONFLICT = C(
    'Одновременные резервы на владельце читают один и тот же остаток: без защиты от потерянного обновления (expect или conflicts: "first-committer-wins" и повтор при WriteConflict) оба списывают с одного и того же числа.',
    'Simultaneous reservations at the home read the same stock: without a guard against lost updates (expect, or conflicts: "first-committer-wins", and a retry on WriteConflict) both subtract from the same number.',
  );
  return first(
    ...labels.map((l) => () => firstAttemptIs(r.get(l), l, RESERVE_BUDGET_MS, C("{ ok: true } или { ok: false, error: 'OUT_OF_STOCK' }", "{ ok: true } or { ok: false, error: 'OUT_OF_STOCK' }"), (x) => isOk(x) || isErr('OUT_OF_STOCK')(x), CP)),
    () => {
      const okN = labels.filter((l) => isOk(r.get(l)!.value)).length;
      return okN === 5
        ? null
        : v(
            `7 одновременных резервов телефона (4 на stock-eu, 3 через stock-us), на складе 5: подтверждено ${okN}, а должно быть ровно 5 (остальные — OUT_OF_STOCK). ${okN > 5 ? CONFLICT.ru : 'Пока остаток есть, резерв должен проходить.'}`,
            `7 simultaneous phone reservations (4 on stock-eu, 3 through stock-us), 5 in stock: ${okN} acknowledged, exactly 5 expected (the rest OUT_OF_STOCK). ${okN > 5 ? CONFLICT.en : 'While there is stock, a reservation must succeed.'}`,
            Math.max(...labels.map((l) => r.get(l)!.at)),
          );
    },
    () => firstAttemptIs(r.get('b-laptop-u'), 'b-laptop-u', RESERVE_BUDGET_MS, C('{ ok: true } (2 ноутбука на stock-us, их дом)', '{ ok: true } (2 laptops on stock-us, their home)'), isOk, CP),
    () =>
      firstAttemptIs(
        r.get('b-laptop-e'),
        'b-laptop-e',
        RESERVE_BUDGET_MS,
        C("{ ok: false, error: 'OUT_OF_STOCK' } — ноутбуки уже зарезервированы на stock-us", "{ ok: false, error: 'OUT_OF_STOCK' } — the laptops are already reserved on stock-us"),
        isErr('OUT_OF_STOCK'),
        CP,
      ),
    () => {
      const a = r.get('b-e1')!;
      const b = r.get('b-e1-again');
      const want = isOk(a.value) ? C('{ ok: true } — тот же reservationId уже зарезервирован', '{ ok: true } — the same reservationId is already reserved') : C("{ ok: false, error: 'OUT_OF_STOCK' }, как и в первый раз", "{ ok: false, error: 'OUT_OF_STOCK' }, as the first time");
      return firstAttemptIs(b, 'b-e1-again', RESERVE_BUDGET_MS, want, isOk(a.value) ? isOk : isErr('OUT_OF_STOCK'), C('Повтор резерва с тем же reservationId возвращает тот же результат и не списывает остаток ещё раз.', 'A repeated reservation with the same reservationId gets the same answer and takes no more stock.'));
    },
    ...(['b-unknown', 'b-unknown-u'] as const).map((l) => () =>
      firstAttemptIs(
        r.get(l),
        l,
        RESERVE_BUDGET_MS,
        C("{ ok: false, error: 'OUT_OF_STOCK' } — товара tablet нет ни на одной реплике", "{ ok: false, error: 'OUT_OF_STOCK' } — no replica has the product tablet"),
        isErr('OUT_OF_STOCK'),
        C('Пересланный запрос владелец решает сам и дальше не пересылает (иначе реплики гоняют его по кругу).', 'A forwarded request is decided by the home and never forwarded again (or the replicas bounce it back and forth).'),
      ),
    ),
    () => firstAttemptIs(r.get('b-invalid'), 'b-invalid', RESERVE_BUDGET_MS, C("{ ok: false, error: 'INVALID' } для количества 0", "{ ok: false, error: 'INVALID' } for quantity 0"), isErr('INVALID'), C('', '')),
  );
}

function cartBasic(run: RunOutcome): Violation | null {
  const r = r0(run);
  const ADD = C('Добавление в корзину сохраняется локально и сразу подтверждается.', 'An add to the cart is stored locally and acknowledged at once.');
  return first(
    () => firstAttemptIs(r.get('b-add-e'), 'b-add-e', CART_BUDGET_MS, C('{ ok: true }', '{ ok: true }'), isOk, ADD),
    () => firstAttemptIs(r.get('b-add-u'), 'b-add-u', CART_BUDGET_MS, C('{ ok: true }', '{ ok: true }'), isOk, ADD),
    () => {
      const x = cartsConverge(run);
      return x
        ? { ...x, message: { ru: `${x.message.ru} (Без отказов корзина должна оказаться на обеих репликах за полсекунды.)`, en: `${x.message.en} (Without faults the cart must reach both replicas within half a second.)` } }
        : null;
    },
  );
}

function cpUnavailable(run: RunOutcome): Violation | null {
  const w = workload(run);
  const r = r0(run);
  const far = reserves(run).filter((x) => homeOf(w, (x.payload as { productId: string }).productId) !== x.replica && x.startedAt >= w.partition!.from && x.startedAt < w.partition!.to);
  const home = reserves(run).filter((x) => homeOf(w, (x.payload as { productId: string }).productId) === x.replica && x.startedAt >= w.partition!.from && x.startedAt < w.partition!.to);
  const FAST = C(
    'Сторона, которая не может достучаться до владельца товара, быстро отвечает UNAVAILABLE (CP: «может быть недоступной при разделении сети») — не зависает и не решает сама.',
    'The side that cannot reach the product\'s home answers UNAVAILABLE fast (CP: "may be unavailable during a partition") — it neither hangs nor decides alone.',
  );
  const HOME = C(
    'Владелец товара при разделении сети продолжает продавать свои товары: недоступна только другая сторона.',
    'During a partition the home keeps selling its own products: only the other side is unavailable.',
  );
  return first(
    ...far.map((x) => () => firstAttemptIs(x, x.id, RESERVE_BUDGET_MS, C("{ ok: false, error: 'UNAVAILABLE' }", "{ ok: false, error: 'UNAVAILABLE' }"), isErr('UNAVAILABLE'), FAST)),
    ...home.map((x) => () => firstAttemptIs(x, x.id, RESERVE_BUDGET_MS, C('{ ok: true }', '{ ok: true }'), isOk, HOME)),
    () => {
      // After the heal the far side sells what is left: phone 3 - 2 = 1 of 3, laptop 2 - 1 = 1 of 2.
      for (const product of ['phone', 'laptop']) {
        const mine = far.filter((x) => (x.payload as { productId: string }).productId === product);
        const okN = mine.filter((x) => isOk(x.value)).length;
        const oosN = mine.filter((x) => isErr('OUT_OF_STOCK')(x.value)).length;
        const sold = acknowledged(run).filter((a) => a.productId === product).reduce((s, a) => s + a.quantity, 0);
        const had = w.stock[homeOf(w, product)!][product]!;
        if (okN + oosN !== mine.length || sold !== had)
          return v(
            `После восстановления сети повторы резервов «${product}» с дальней стороны: ok ${okN}, OUT_OF_STOCK ${oosN} из ${mine.length}; всего продано ${sold} из ${had}. Когда владелец снова доступен, дальняя сторона снова продаёт остаток.`,
            `After the network healed, the far side's repeated "${product}" reservations: ok ${okN}, OUT_OF_STOCK ${oosN} of ${mine.length}; ${sold} of ${had} sold in all. Once the home is reachable again, the far side sells what is left again.`,
            Math.max(...mine.map((x) => x.at)),
          );
      }
      return null;
    },
    () => (r.get('p-drain-e') && isErr('OUT_OF_STOCK')(r.get('p-drain-e')!.value) ? null : v('Последний резерв телефона должен получить OUT_OF_STOCK: всё продано.', 'The last phone reservation must get OUT_OF_STOCK: everything is sold.', r.get('p-drain-e')?.at)),
  );
}

function cartAvailable(run: RunOutcome): Violation | null {
  const w = workload(run);
  const during = [...r0(run).values()].filter((x) => x.method === 'addToCart' && x.startedAt >= w.partition!.from && x.startedAt < w.partition!.to);
  const AP = C(
    'Корзина — AP: добавление принимается локально и подтверждается сразу, даже когда другой дата-центр недоступен; синхронизация — потом.',
    'The cart is AP: an add is taken locally and acknowledged at once, even when the other data centre is unreachable; syncing comes later.',
  );
  return first(
    ...during.map((x) => () => firstAttemptIs(x, x.id, CART_BUDGET_MS, C('{ ok: true }', '{ ok: true }'), isOk, AP)),
    () => localCartRead(run, 'mid-eu-c-7'),
    () => localCartRead(run, 'mid-us-c-7'),
  );
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const STRONG = C('Строгая консистентность там, где она критична: «не можем продать больше, чем есть на складе»', 'Strong consistency where it is critical: "we cannot sell more than there is in stock"');
const CAP_CP = C('CAP: CP — консистентна, но может быть недоступна при разделении сети', 'CAP: CP — consistent, but may be unavailable during a partition');
const CAP_AP = C('CAP/BASE: AP — всегда доступна, временно неконсистентна, сходится со временем', 'CAP/BASE: AP — always available, temporarily inconsistent, eventually consistent');

const checks: CheckSpec[] = [
  {
    id: 'reserve-basic',
    title: C('Резервы с обеих сторон: ровно столько, сколько на складе; повтор идемпотентен', 'Reservations from both sides: exactly as many as in stock; a repeat is idempotent'),
    points: 20,
    level: 'basic',
    criterion: STRONG,
    scenarios: ['no-partition'],
    random: false,
    verify: reserveBasic,
  },
  {
    id: 'no-oversell',
    title: C('Никогда не продано больше, чем было — ни при разделении сети, ни при отказах', 'Never more sold than there was — neither during a partition nor under faults'),
    points: 15,
    level: 'basic',
    criterion: STRONG,
    scenarios: ['no-partition', 'partition'],
    random: true,
    verify: noOversell,
  },
  {
    id: 'cart-basic',
    title: C('Корзина: добавления с обеих сторон видны на обеих репликах', 'Cart: adds from both sides show on both replicas'),
    points: 15,
    level: 'basic',
    criterion: CAP_AP,
    scenarios: ['no-partition'],
    random: false,
    verify: cartBasic,
  },
  {
    id: 'cp-unavailable',
    title: C(
      'CP при разделении: дальняя сторона за 300 мс отвечает UNAVAILABLE, владелец продолжает продавать',
      'CP during a partition: the far side answers UNAVAILABLE within 300 ms, the home keeps selling',
    ),
    points: 15,
    level: 'advanced',
    criterion: CAP_CP,
    scenarios: ['partition'],
    random: false,
    verify: cpUnavailable,
  },
  {
    id: 'cart-available',
    title: C('AP при разделении: каждое добавление в корзину — ok за 50 мс на обеих сторонах', 'AP during a partition: every cart add gets ok within 50 ms on both sides'),
    points: 10,
    level: 'advanced',
    criterion: CAP_AP,
    scenarios: ['partition'],
    random: false,
    verify: cartAvailable,
  },
  {
    id: 'cart-converges',
    title: C(
      'Сходимость: через 2 с после восстановления обе корзины равны объединению всех подтверждённых добавлений',
      'Convergence: 2 s after the heal both carts equal the union of all acknowledged adds',
    ),
    points: 15,
    level: 'expert',
    criterion: CAP_AP,
    scenarios: ['partition', 'replica-crash'],
    random: true,
    verify: cartsConverge,
  },
  {
    id: 'random-faults',
    title: C(
      'Случайные отказы: после них каждый резерв получает окончательный ответ, и продано ровно столько, сколько было',
      'Random faults: afterwards every reservation gets a definitive answer, and exactly the stock there was is sold',
    ),
    points: 10,
    level: 'expert',
    criterion: STRONG,
    scenarios: [],
    random: true,
    verify: exactAccounting,
  },
];

// ---------------------------------------------------------------------------
// Random runs
// ---------------------------------------------------------------------------

export const RANDOM_SCHEDULE: ScheduleOptions = {
  services: ['stock-eu', 'stock-us'],
  nodes: ['shop-eu', 'shop-us', 'stock-eu', 'stock-us'],
  horizonMs: 1500,
  episodes: 2,
  maxEpisodes: 5,
  minDowntimeMs: 10,
  maxDowntimeMs: 1200,
  downtime: 'mostly-short',
};

/** Seed-drawn stock and workload: reservations and cart adds on both sides while faults happen; then a drain and the final cart reads. */
export function randomSetup(seed: number): ScenarioSetup {
  const quiet = Math.max(quietTime(generateSchedule(seed, RANDOM_SCHEDULE)), RANDOM_SCHEDULE.horizonMs);
  const rng = new Prng(seed, 'workload');
  const int = (from: number, to: number) => from + Math.floor(rng.next() * (to - from + 1));
  const stock: Stock = { 'stock-eu': { phone: int(2, 4) }, 'stock-us': { laptop: int(1, 3) } };
  const until = quiet + 1500;
  const products = ['phone', 'laptop'];
  const side = (replica: Replica, tag: string): ScriptedStep[] => {
    const calls: ScriptedCall[] = [];
    for (let i = 0; i < 3; i++) calls.push(reserve(replica, `r-${tag}${i}`, products[int(0, 1)]!, int(1, 2), { at: int(0, 1400), ...untilDefinitive(until, 200) }));
    for (let i = 0; i < 3; i++) calls.push(add(replica, `a-${tag}${i}`, 'c-shared', `s-${tag}${i}`, products[int(0, 1)]!, int(1, 3), { at: int(0, 1400), ...untilAcked(until) }));
    calls.push(add(replica, `a-${tag}-own`, `c-${tag}`, `o-${tag}`, 'mouse', 1, { at: int(0, 1400), ...untilAcked(until) }));
    return [calls];
  };
  // Drain from the far side: as many single units as there were, one after the other (a refusal while
  // units are left fails the accounting; a unit more would only repeat what no-oversell judges).
  const drain = (replica: Replica, product: string, n: number): ScriptedStep[] =>
    Array.from({ length: n }, (_, i) => reserve(replica, `d-${product}${i}`, product, 1, { at: until + 100, ...untilDefinitive(until + 2500, 200) }));
  // Read both replicas 2 s after the shops' last possible add.
  const reads = ['c-shared', 'c-eu', 'c-us'].map((c) => cartReads(c, until + CONVERGE_MS, 'f'));
  const scripts: Record<Replica, ScriptedStep[]> = {
    'stock-eu': [...side('stock-eu', 'eu'), ...drain('stock-eu', 'laptop', stock['stock-us'].laptop!), reads.map((x) => x.calls['stock-eu'])],
    'stock-us': [...side('stock-us', 'us'), ...drain('stock-us', 'phone', stock['stock-eu'].phone!), reads.map((x) => x.calls['stock-us'])],
  };
  return world(stock, scripts, { finalCarts: reads.map((x) => x.read), definitive: true });
}

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
  chapter: 2,
  order: 2,
  title: C('CAP на практике: остаток CP, корзина AP', 'CAP in practice: stock CP, cart AP'),
  summary: C(
    'Один сервис в двух дата-центрах. Остаток нельзя продать дважды (CP: недостижимая сторона быстро отвечает UNAVAILABLE), а корзина принимает добавления всегда и сходится после восстановления сети (AP/BASE).',
    'One service in two data centres. Stock must never be sold twice (CP: the side that cannot reach the home answers UNAVAILABLE fast), while carts always take adds and converge once the network heals (AP/BASE).',
  ),
  criteria: [STRONG, CAP_CP, CAP_AP],
  rubric: true,
  learnerServices: [
    { service: 'stock-eu', exportName: 'replica' },
    { service: 'stock-us', exportName: 'replica' },
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
      'Кто вы, видно по ctx.service; сосед — другая реплика. Товар «ваш», если в вашей таблице stock есть его строка: такой резерв решаете вы, остальные пересылайте соседу отдельным методом, который сам уже ничего не пересылает.',
      'ctx.service tells which replica you are; the peer is the other one. A product is "yours" when your stock table has its row: you decide its reservations; forward the others to the peer through a separate method that never forwards again.',
      ['reserve-basic', 'cp-unavailable'],
    ),
    hint(
      'Таблица stock — read committed: два одновременных резерва могут прочитать один и тот же остаток. Обновляйте с expect: { available: прочитанное } и повторяйте транзакцию при WriteConflict (isWriteConflict).',
      'The stock table is read committed: two simultaneous reservations can read the same stock. Update with expect: { available: what you read } and retry the transaction on WriteConflict (isWriteConflict).',
      ['reserve-basic', 'no-oversell'],
    ),
    hint(
      'Храните сделанные резервы по reservationId в той же транзакции, что и списание: повтор (клиент не получил ответа) вернёт ok и ничего не спишет.',
      'Keep the reservations made, by reservationId, in the same transaction as the decrement: a repeat (the shop got no answer) returns ok and takes nothing.',
      ['reserve-basic', 'random-faults'],
    ),
    hint(
      'Пересылая резерв, ставьте таймаут меньше 300 мс и при таймауте отвечайте UNAVAILABLE: решить самому — значит рискнуть продать лишнее.',
      'When forwarding a reservation, use a timeout under 300 ms and answer UNAVAILABLE on a timeout: deciding alone risks selling what is not there.',
      ['cp-unavailable', 'no-oversell'],
    ),
    hint(
      'addToCart: запишите строку в свою БД и сразу ответьте ok. Отметку «сосед ещё не подтвердил» храните в БД (не в памяти: она пропадёт при падении) и повторяйте отправку по таймеру, пока сосед не ответит.',
      'addToCart: write the line to your own database and answer ok at once. Keep "the peer has not confirmed it yet" in the database (not in memory: a crash loses it) and resend on a timer until the peer answers.',
      ['cart-available', 'cart-converges'],
    ),
    hint(
      'Сливайте корзины объединением строк по lineId (повтор и любой порядок ничего не портят), а не заменой корзины целиком «у кого новее»: так теряются добавления другой стороны.',
      'Merge carts as a union of lines by lineId (repeats and any order are harmless), not by replacing the whole cart with "the newer one": that loses the other side\'s adds.',
      ['cart-converges'],
    ),
  ],
  sim: { maxEvents: 60_000, maxTime: 10_000 },
};

/** A hint naming the checks it addresses (the UI links them). */
function hint(ru: string, en: string, checks: string[]): Localized {
  const h = { ru, en, checks };
  return h;
}

export default exercise;

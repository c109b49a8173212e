/**
 * Exercise "saga-orchestration-hotel" (course chapter 3, the hotel + car booking
 * saga): the learner writes the orchestrator; booking, hotel, car, payment and the
 * client are provided (services.ts). The properties the checks judge are in
 * properties.ts.
 */
import type { Row } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Localized, ScenarioSetup } from '../../src/grading/types.ts';
import { Prng } from '../../src/sim/prng.ts';
import { DECLINED_CARD, LEMON_CAR, worldServices, type BookingRequest, type HotelWorld, type Submission } from './services.ts';
import {
  active,
  chargedOnce,
  consistent,
  expectOutcome,
  facts,
  forAll,
  moneyOnce,
  noOwnershipViolation,
  num,
  progress,
  refundedOnce,
  resumedAfterRestart,
  reverseOrder,
  v,
  withinLiveness,
  type WorkloadData,
} from './properties.ts';

export { LIVENESS_MS } from './properties.ts';
export const ID = 'saga-orchestration-hotel';

const HOTELS = { grand: 5, full: 0 };
const CARS = { sedan: 3, [LEMON_CAR]: 2 };
const FULL_HOTELS = Object.entries(HOTELS)
  .filter(([, rooms]) => rooms === 0)
  .map(([id]) => id);

function request(sagaId: string, over: Partial<BookingRequest> = {}): BookingRequest {
  return {
    sagaId,
    guest: 'Ivan Petrov',
    hotelId: 'grand',
    checkIn: '2026-07-01',
    checkOut: '2026-07-05',
    car: { carType: 'sedan', pickupDate: '2026-07-01' },
    card: 'card-4242',
    amount: 480,
    ...over,
  };
}

function world(submissions: Submission[], slow: HotelWorld['slow'] = []): HotelWorld {
  return { hotels: HOTELS, cars: CARS, slow, submissions };
}

function setup(w: HotelWorld, extra: Omit<ScenarioSetup, 'services' | 'data'> = {}): ScenarioSetup {
  const data: WorkloadData = { submissions: w.submissions, fullHotels: FULL_HOTELS };
  return { services: worldServices(w), data: data as never, ...extra };
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const C = (ru: string, en: string): Localized => ({ ru, en });

const SERVICES = ['booking', 'car', 'client', 'hotel', 'orchestrator', 'payment'];

/**
 * "Executed but unanswered": `method` of `service` commits the saga's row, its
 * reply is held back 20 ms, and the network cuts `service` off before the reply
 * leaves, for `cutMs`.
 */
function replyLost(sagaId: string, service: 'booking' | 'car', method: string, table: string, done: (row: Row) => boolean, cutMs: number): ScenarioSetup {
  return setup(world([{ at: 0, request: request(sagaId) }], [{ service, method, delayMs: 20, times: 1 }]), {
    drive: async (h) => {
      await h.runUntil(() => h.rows(service, table).some((r) => r.id === sagaId && done(r)), 3000, 0.5);
      h.partition([[service], SERVICES.filter((x) => x !== service)]);
      await h.advance(cutMs);
      h.heal();
    },
  });
}

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'happy-path',
    title: C('Сценарий 1: всё успешно (отель + автомобиль + оплата)', 'Scenario 1: happy path (hotel + car + payment)'),
    seed: 101,
    setup: () => setup(world([{ at: 0, request: request('happy-1') }])),
  },
  {
    id: 'no-rooms',
    title: C('Сценарий 2: в отеле нет свободных номеров', 'Scenario 2: the hotel has no rooms'),
    seed: 102,
    setup: () => setup(world([{ at: 0, request: request('norooms-1', { hotelId: 'full' }) }])),
  },
  {
    id: 'payment-declined',
    title: C('Сценарий 3: оплата отклонена', 'Scenario 3: payment declined'),
    seed: 103,
    setup: () => setup(world([{ at: 0, request: request('declined-1', { card: DECLINED_CARD }) }])),
  },
  {
    id: 'orchestrator-crash',
    title: C('Оркестратор падает посреди саги и во время компенсации', 'The orchestrator crashes mid-saga and during compensation'),
    seed: 104,
    setup: () =>
      setup(world([{ at: 0, request: request('crash-ok') }, { at: 0, request: request('crash-declined', { card: DECLINED_CARD }) }]), {
        drive: async (h) => {
          await h.runUntil(() => h.rows('hotel', 'reservations').some((r) => r.id === 'crash-ok'), 3000);
          h.crash('orchestrator');
          await h.advance(300);
          h.restart('orchestrator');
          await h.runUntil(() => h.rows('car', 'reservations').some((r) => r.id === 'crash-declined' && r.status === 'CANCELLED'), 5000);
          h.crash('orchestrator');
          await h.advance(250);
          h.restart('orchestrator');
        },
      }),
  },
  {
    id: 'delayed-refund',
    title: C('Подтверждение автомобиля не прошло, ответ на возврат денег задерживается', 'Car confirmation fails and the refund reply is delayed'),
    seed: 105,
    setup: () =>
      setup(world([{ at: 0, request: request('lemon-1', { car: { carType: LEMON_CAR, pickupDate: '2026-07-01' } }) }], [{ service: 'payment', method: 'refund', delayMs: 700, times: 1 }])),
  },
  {
    id: 'duplicates',
    title: C('Дубликаты сообщений и задержанный ответ на списание', 'Duplicated messages and a delayed charge reply'),
    seed: 106,
    setup: () =>
      setup(
        world([{ at: 0, request: request('dup-1') }, { at: 20, request: request('dup-2', { car: null, amount: 300 }) }], [{ service: 'payment', method: 'charge', delayMs: 700, times: 1 }]),
        { sim: { network: { duplicate: 0.5 } } },
      ),
  },
  {
    id: 'partitioned-car',
    title: C('Сервис автомобилей отрезан сетью на 3 секунды', 'The car service is partitioned away for 3 seconds'),
    seed: 107,
    setup: () =>
      setup(world([{ at: 0, request: request('part-1') }]), {
        faults: [
          { at: 5, kind: 'partition', groups: [['car'], ['booking', 'client', 'hotel', 'orchestrator', 'payment']] },
          { at: 3005, kind: 'heal' },
        ],
      }),
  },
  {
    id: 'slow-confirm',
    title: C('Ответ на confirmBooking трижды опаздывает на 300 мс (точка невозврата)', 'The confirmBooking reply is 300 ms late three times (the pivot)'),
    seed: 108,
    setup: () => setup(world([{ at: 0, request: request('pivot-1') }], [{ service: 'booking', method: 'confirmBooking', delayMs: 300, times: 3 }])),
  },
  {
    id: 'confirm-reply-lost',
    title: C(
      'Бронирование подтверждено, но ответ потерян: сервис бронирований отрезан сетью на 3 секунды',
      'The booking is confirmed but the reply is lost: the booking service is partitioned away for 3 seconds',
    ),
    seed: 110,
    setup: () => replyLost('pivot-2', 'booking', 'confirmBooking', 'bookings', (r) => r.status === 'CONFIRMED', 3000),
  },
  {
    id: 'car-reply-lost',
    title: C(
      'Автомобиль зарезервирован, но ответ потерян: сервис автомобилей отрезан сетью на 4 секунды',
      'The car is reserved but the reply is lost: the car service is partitioned away for 4 seconds',
    ),
    seed: 109,
    setup: () => replyLost('unacked-1', 'car', 'reserveCar', 'reservations', () => true, 4000),
  },
];

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const BASIC = C('Базовый уровень: реализован простой Saga pattern; нет прямого доступа между БД сервисов', 'Basic: a simple Saga pattern; no direct access between service databases');
const ADV = C('Продвинутый уровень: правильные компенсирующие действия', 'Advanced: proper compensation actions');
const EXP = C('Экспертный уровень: полная обработка ошибок', 'Expert: complete error handling');

const checks: CheckSpec[] = [
  {
    id: 'happy-path',
    title: C('Сценарий 1: бронирование, отель, автомобиль, оплата, подтверждение', 'Scenario 1: booking, hotel, car, payment, confirmation'),
    points: 15,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['happy-path'],
    random: false,
    verify: (run) => expectOutcome(run, 'happy-1', 'CONFIRMED', C('все шаги успешны', 'every step succeeds')),
  },
  {
    id: 'no-rooms',
    title: C('Сценарий 2: нет номеров ⇒ бронирование отменено, денег не списано', 'Scenario 2: no rooms ⇒ booking cancelled, nothing charged'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['no-rooms'],
    random: false,
    verify: (run) => {
      const x = expectOutcome(run, 'norooms-1', 'CANCELLED', C('в отеле нет номеров', 'the hotel is full'));
      if (x) return x;
      const f = facts(run)[0]!;
      if (f.charges.length > 0)
        return v('Номера нет, а оплата всё равно списывалась: до оплаты дело не должно доходить.', 'No room, yet the card was charged: the saga must stop before payment.', num(f.charges[0]!.at));
      if (active(f.car)) return v('Номера нет, а автомобиль остался зарезервирован.', 'No room, yet a car stayed reserved.', num(f.car?.updatedAt));
      return null;
    },
  },
  {
    id: 'payment-declined',
    title: C('Сценарий 3: оплата отклонена ⇒ автомобиль, отель, бронирование компенсированы в обратном порядке', 'Scenario 3: payment declined ⇒ car, hotel, booking compensated in reverse order'),
    points: 15,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['payment-declined'],
    random: false,
    verify: (run) => {
      const x = expectOutcome(run, 'declined-1', 'CANCELLED', C('карта отклонена', 'the card is declined'));
      if (x) return x;
      const f = facts(run)[0]!;
      if (f.car?.status !== 'CANCELLED' || f.hotel?.status !== 'CANCELLED')
        return v('Автомобиль и номер должны быть отменены (CANCELLED).', 'The car and the room must both be CANCELLED.', num(f.booking?.updatedAt));
      return reverseOrder(f, true);
    },
  },
  {
    id: 'own-database',
    title: C('Оркестратор не лезет в чужие базы данных', 'The orchestrator never touches other services\' databases'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['happy-path', 'payment-declined'],
    random: true,
    verify: noOwnershipViolation,
  },
  {
    id: 'crash-recovery',
    title: C('Падение оркестратора: состояние саги в своей БД, после рестарта сага продолжается', 'Orchestrator crash: saga state in its own DB, resumed after restart'),
    points: 5,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['orchestrator-crash'],
    random: true,
    verify: (run) =>
      run.random
        ? forAll(run, resumedAfterRestart)
        : expectOutcome(run, 'crash-ok', 'CONFIRMED', C('все шаги успешны, был лишь рестарт', 'every step succeeds, there was only a restart')) ??
          expectOutcome(run, 'crash-declined', 'CANCELLED', C('карта отклонена', 'the card is declined')) ??
          forAll(run, (f) => reverseOrder(f, false)),
  },
  {
    id: 'idempotent-compensation',
    title: C('Компенсации идемпотентны и семантичны (возврат — новая запись)', 'Compensations are idempotent and semantic (a refund is a new record)'),
    points: 5,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['delayed-refund'],
    random: true,
    verify: (run) => {
      if (!run.random) {
        const x = expectOutcome(run, 'lemon-1', 'CANCELLED', C('автомобиль не прошёл подтверждение после оплаты', 'the car failed confirmation after payment'));
        if (x) return x;
        const f = facts(run)[0]!;
        if (f.charges.length !== 1 || f.refunds.length !== 1)
          return v(
            `Ожидалось одно списание и один возврат, получено списаний: ${f.charges.length}, возвратов: ${f.refunds.length}.`,
            `Expected one charge and one refund, got ${f.charges.length} charge(s) and ${f.refunds.length} refund(s).`,
            num(f.booking?.updatedAt),
          );
      }
      return forAll(run, refundedOnce);
    },
  },
  {
    id: 'duplicate-replies',
    title: C('Дубликаты и задержанные ответы не приводят к двойному списанию', 'Duplicate and delayed replies never double-charge'),
    points: 5,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['duplicates'],
    random: true,
    verify: (run) =>
      run.random
        ? forAll(run, chargedOnce)
        : expectOutcome(run, 'dup-1', 'CONFIRMED', C('все шаги успешны', 'every step succeeds')) ??
          expectOutcome(run, 'dup-2', 'CONFIRMED', C('все шаги успешны', 'every step succeeds')) ??
          forAll(run, moneyOnce),
  },
  {
    id: 'pivot',
    title: C(
      'Точка невозврата: после confirmBooking сага идёт только вперёд (ответы опаздывают или теряются)',
      'The pivot: once confirmBooking may have succeeded, the saga only goes forward (late or lost replies)',
    ),
    points: 5,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['slow-confirm', 'confirm-reply-lost'],
    random: false,
    verify: (run) =>
      forAll(run, withinLiveness) ??
      (run.scenario === 'slow-confirm'
        ? expectOutcome(run, 'pivot-1', 'CONFIRMED', C('все шаги успешны, ответы на confirmBooking лишь опаздывают', 'every step succeeds, the confirmBooking replies are only late'))
        : expectOutcome(run, 'pivot-2', 'CONFIRMED', C('бронирование уже подтверждено, потерян лишь ответ', 'the booking is already confirmed, only the reply was lost'))) ??
      forAll(run, moneyOnce),
  },
  {
    id: 'undo-unacknowledged',
    title: C(
      'Шаг без ответа тоже компенсируется: автомобиль зарезервирован, ответ потерян',
      'A step without a reply is compensated too: the car was reserved, its reply lost',
    ),
    points: 5,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['car-reply-lost'],
    random: false,
    verify: (run) =>
      forAll(run, withinLiveness) ??
      expectOutcome(run, 'unacked-1', 'CANCELLED', C('сервис автомобилей недоступен 4 с: повторы, затем компенсация всего, что могло выполниться', 'the car service is unreachable for 4 s: retries, then compensation of everything that may have happened')) ??
      forAll(run, moneyOnce, (f) => reverseOrder(f, false)),
  },
  {
    id: 'partitioned-participant',
    title: C('Участник отрезан сетью: таймауты, повторы, затем компенсация', 'A participant is partitioned away: timeouts, retries, then compensation'),
    points: 10,
    level: 'expert',
    criterion: EXP,
    scenarios: ['partitioned-car'],
    random: false,
    verify: (run) =>
      forAll(run, withinLiveness) ??
      expectOutcome(run, 'part-1', 'CANCELLED', C('сервис автомобилей недоступен 3 с: ограниченные повторы, затем компенсация', 'the car service is unreachable for 3 s: bounded retries, then compensation')) ??
      forAll(run, moneyOnce, (f) => reverseOrder(f, false)),
  },
  {
    id: 'random-faults',
    title: C(
      'Случайные отказы: каждая сага завершается, остаётся согласованной, а выполнимая — подтверждается',
      'Random faults: every saga finishes and stays consistent, and one that can succeed is confirmed',
    ),
    points: 15,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: (run) => forAll(run, withinLiveness, (f) => consistent(f), (f) => reverseOrder(f, false), moneyOnce, progress),
  },
];

/** The variable booking of a random run: a business failure of each kind, or one that succeeds. */
const RANDOM_VARIANT: Array<(id: string) => BookingRequest> = [
  (id) => request(id, { card: DECLINED_CARD }),
  (id) => request(id, { hotelId: 'full' }),
  (id) => request(id, { car: { carType: LEMON_CAR, pickupDate: '2026-07-02' } }),
  (id) => request(id, { car: null, amount: 300 }),
  (id) => request(id, { guest: 'Anna Smirnova', amount: 520 }),
];

/**
 * Three bookings per random run at seed-drawn times spread over the first 2.5 s,
 * so that faults (drawn over 3 s) hit sagas early, late and in every step.
 */
function randomWorkload(seed: number): Submission[] {
  const rng = new Prng(seed, 'workload');
  const at = (from: number, to: number) => Math.round(from + rng.next() * (to - from));
  const variant = RANDOM_VARIANT[seed % RANDOM_VARIANT.length]!;
  return [
    { at: at(0, 200), request: request(`r${seed}-a`) },
    { at: at(100, 1500), request: variant(`r${seed}-b`) },
    { at: at(600, 2500), request: request(`r${seed}-c`, rng.next() < 0.5 ? { car: null, amount: 300 } : {}) },
  ];
}

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 2,
  chapter: 3,
  order: 1,
  title: C('Оркестрируемая сага: отель, автомобиль, оплата', 'Orchestrated saga: hotel, car, payment'),
  summary: C(
    'Напишите оркестратор саги бронирования (отель, необязательный автомобиль, оплата) с компенсациями, который переживает падения, дубликаты, задержки и разделение сети.',
    'Write the orchestrator of a booking saga (hotel, optional car, payment) with compensations that survives crashes, duplicates, delays and partitions.',
  ),
  criteria: [BASIC, ADV, EXP],
  rubric: true,
  learnerServices: [{ service: 'orchestrator', exportName: 'orchestrator' }],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: (seed) => setup(world(randomWorkload(seed))),
    schedule: {
      services: ['orchestrator', 'booking', 'hotel', 'car', 'payment'],
      horizonMs: 3000,
      episodes: 2,
      maxEpisodes: 6,
      minDowntimeMs: 20,
      maxDowntimeMs: 2500,
      downtime: 'mostly-short',
    },
  },
  checks,
  hints: [
    C(
      'Сохраните сагу в своей таблице `sagas` до первого вызова участника и обновляйте её после каждого шага: после рестарта (ctx.incarnation > 1) найдите незавершённые саги и продолжите их.',
      'Store the saga in your own `sagas` table before the first participant call and update it after every step: after a restart (ctx.incarnation > 1) find unfinished sagas and continue them.',
    ),
    C(
      'Ответ { ok: false } — бизнес-отказ (компенсируем). Исключение RpcTimeout/RemoteError — исход неизвестен: повторите с теми же ключами (sagaId, chargeId).',
      'A { ok: false } reply is a business failure (compensate). A thrown RpcTimeout/RemoteError means the outcome is unknown: retry with the same keys (sagaId, chargeId).',
    ),
    C(
      'Ключи идемпотентности делайте из sagaId (например `${sagaId}:charge`), а не из ctx.uuid() при каждой попытке.',
      'Derive idempotency keys from the sagaId (e.g. `${sagaId}:charge`), not from a fresh ctx.uuid() per attempt.',
    ),
    C(
      'Прямые шаги повторяйте не меньше 5 раз (таймаут 200 мс + пауза 100 мс) и сдавайтесь в пределах 2 с; компенсации повторяйте, пока не ответят. Компенсируйте и шаг, который не ответил: он мог выполниться.',
      'Retry forward steps at least 5 times (200 ms timeout + 100 ms pause) and give up within 2 s; retry compensations until they answer. Also undo the step that never answered: it may have happened.',
    ),
    C(
      'confirmBooking — точка невозврата: отправив его, повторяйте только его, пока не ответит, и больше не компенсируйте. Отказ компенсации ({ ok: false }) повтором не исправить.',
      'confirmBooking is the point of no return: once sent, retry it alone until it answers and never compensate after it. A refused compensation ({ ok: false }) cannot be fixed by retrying.',
    ),
  ],
  sim: { maxEvents: 200_000, maxTime: 60_000 },
};

export default exercise;

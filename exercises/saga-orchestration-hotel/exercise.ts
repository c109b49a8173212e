/**
 * Exercise "saga-orchestration-hotel" (course chapter 3, the hotel + car booking
 * saga): the learner writes the orchestrator; booking, hotel, car, payment and the
 * client are provided (services.ts).
 */
import type { Row } from '../../src/sim/types.ts';
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, ScenarioSetup, Violation } from '../../src/grading/types.ts';
import { DECLINED_CARD, LEMON_CAR, worldServices, type BookingRequest, type HotelWorld, type Submission } from './services.ts';

export const ID = 'saga-orchestration-hotel';
/** Virtual ms after the last fault (or the last submission) within which every saga must be finished. */
export const LIVENESS_MS = 5000;

const HOTELS = { grand: 5, full: 0 };
const CARS = { sedan: 3, [LEMON_CAR]: 2 };

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
  return { services: worldServices(w), data: { requests: w.submissions.map((s) => s.request) as never }, ...extra };
}

// ---------------------------------------------------------------------------
// Facts about one saga, read from the participants' committed state
// ---------------------------------------------------------------------------

interface SagaFacts {
  req: BookingRequest;
  booking: Row | undefined;
  hotel: Row | undefined;
  car: Row | undefined;
  charges: Row[];
  refunds: Row[];
  saga: Row | undefined;
  submission: Row | undefined;
}

function requests(run: RunOutcome): BookingRequest[] {
  return ((run.data as { requests?: BookingRequest[] } | undefined)?.requests ?? []) as BookingRequest[];
}

function facts(run: RunOutcome): SagaFacts[] {
  const byId = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));
  const bookings = byId(run.rows('booking', 'bookings'));
  const hotels = byId(run.rows('hotel', 'reservations'));
  const cars = byId(run.rows('car', 'reservations'));
  const sagas = byId(run.rows('orchestrator', 'sagas'));
  const subs = byId(run.rows('client', 'submissions'));
  const charges = run.rows('payment', 'charges');
  const refunds = run.rows('payment', 'refunds');
  return requests(run).map((req) => ({
    req,
    booking: bookings.get(req.sagaId),
    hotel: hotels.get(req.sagaId),
    car: cars.get(req.sagaId),
    charges: charges.filter((c) => c.sagaId === req.sagaId),
    refunds: refunds.filter((r) => r.sagaId === req.sagaId),
    saga: sagas.get(req.sagaId),
    submission: subs.get(req.sagaId),
  }));
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const net = (f: SagaFacts) => f.charges.reduce((s, c) => s + num(c.amount), 0) - f.refunds.reduce((s, r) => s + num(r.amount), 0);
const active = (r: Row | undefined) => r !== undefined && r.status !== 'CANCELLED';
const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });

/** Liveness: the saga ended (booking CONFIRMED/CANCELLED and the orchestrator's saga COMPLETED/COMPENSATED). */
function finished(f: SagaFacts, run: RunOutcome): Violation | null {
  const id = f.req.sagaId;
  if (f.submission && f.submission.acceptedAt === null) {
    return v(
      `Клиент так и не получил {accepted: true} на startBooking для ${id} (60 попыток).`,
      `The client never got {accepted: true} from startBooking for ${id} (60 attempts).`,
    );
  }
  const status = f.booking?.status;
  if (status !== 'CONFIRMED' && status !== 'CANCELLED') {
    const busy = run.reason === 'time-limit';
    return v(
      `Сага ${id} не завершилась: бронирование в статусе ${status ?? 'не создано'}, а должно стать CONFIRMED или CANCELLED.` +
        (busy ? ' Прогон упёрся в предел виртуального времени с незавершённой работой: ожидание без таймаута или бесконечные повторы?' : ''),
      `Saga ${id} never finished: the booking is ${status ?? 'missing'}, it must end CONFIRMED or CANCELLED.` +
        (busy ? ' The run hit the virtual time limit with work still pending: a wait without a timeout, or endless retries?' : ''),
      run.now,
    );
  }
  const want = status === 'CONFIRMED' ? 'COMPLETED' : 'COMPENSATED';
  if (f.saga?.status !== want) {
    return v(
      `Сага ${id}: бронирование ${status}, но в таблице orchestrator.sagas статус ${String(f.saga?.status ?? 'нет строки')} (ожидался ${want}).`,
      `Saga ${id}: the booking is ${status} but orchestrator.sagas says ${String(f.saga?.status ?? 'no row')} (expected ${want}).`,
      num(f.booking?.updatedAt),
    );
  }
  return null;
}

/** Safety: the final state of a finished saga is all-or-nothing. */
function consistent(f: SagaFacts): Violation | null {
  const id = f.req.sagaId;
  const paid = net(f);
  const at = num(f.booking?.updatedAt);
  if (f.booking?.status === 'CONFIRMED') {
    if (f.hotel?.status !== 'CONFIRMED')
      return v(`Сага ${id} подтверждена, но номер в отеле в статусе ${String(f.hotel?.status ?? 'нет')}.`, `Saga ${id} is confirmed but its hotel reservation is ${String(f.hotel?.status ?? 'missing')}.`, at);
    if (f.req.car && f.car?.status !== 'CONFIRMED')
      return v(`Сага ${id} подтверждена, но автомобиль в статусе ${String(f.car?.status ?? 'нет')}.`, `Saga ${id} is confirmed but its car reservation is ${String(f.car?.status ?? 'missing')}.`, at);
    if (!f.req.car && active(f.car))
      return v(`Сага ${id}: автомобиль не заказывали, но он зарезервирован.`, `Saga ${id}: no car was requested, yet a car is reserved.`, at);
    if (f.charges.length !== 1)
      return v(`Сага ${id} подтверждена, но списаний ${f.charges.length} (должно быть ровно одно).`, `Saga ${id} is confirmed but was charged ${f.charges.length} times (must be exactly once).`, at);
    if (paid !== f.req.amount)
      return v(`Сага ${id} подтверждена, но итог по оплате ${paid} вместо ${f.req.amount}.`, `Saga ${id} is confirmed but the net payment is ${paid} instead of ${f.req.amount}.`, at);
  } else if (f.booking?.status === 'CANCELLED') {
    if (paid > 0)
      return v(`Деньги списаны за отменённое бронирование ${id}: итог ${paid} (должен быть 0).`, `Money charged for the cancelled booking ${id}: net ${paid} (must be 0).`, at);
    if (paid < 0)
      return v(
        `Отменённое бронирование ${id}: возвращено больше, чем списано (итог ${paid}). Повторный refund должен идти с тем же refundId.`,
        `Cancelled booking ${id}: more was refunded than charged (net ${paid}). A retried refund must reuse its refundId.`,
        at,
      );
    if (active(f.hotel))
      return v(`Бронирование ${id} отменено, но номер остался в статусе ${String(f.hotel!.status)}.`, `Booking ${id} is cancelled but its room is still ${String(f.hotel!.status)}.`, at);
    if (active(f.car))
      return v(`Бронирование ${id} отменено, но автомобиль остался в статусе ${String(f.car!.status)}.`, `Booking ${id} is cancelled but its car is still ${String(f.car!.status)}.`, at);
  }
  return null;
}

/** Safety: compensations in reverse order: refund → car → hotel → booking. */
function reverseOrder(f: SagaFacts, strict: boolean): Violation | null {
  if (f.booking?.status !== 'CANCELLED') return null;
  const steps: Array<[string, number | undefined]> = [
    ['refund', f.refunds.length > 0 ? Math.min(...f.refunds.map((r) => num(r.at))) : undefined],
    ['car', f.car?.cancelledAt as number | undefined],
    ['hotel', f.hotel?.cancelledAt as number | undefined],
    ['booking', f.booking?.cancelledAt as number | undefined],
  ];
  const present = steps.filter((s) => typeof s[1] === 'number') as Array<[string, number]>;
  for (let i = 1; i < present.length; i++) {
    const [a, ta] = present[i - 1]!;
    const [b, tb] = present[i]!;
    if (strict ? !(ta < tb) : ta > tb) {
      return v(
        `Сага ${f.req.sagaId}: компенсации не в обратном порядке — «${a}» отменён в t=${ta}, «${b}» в t=${tb}. Нужно: возврат денег → автомобиль → отель → бронирование, каждое после ответа на предыдущее.`,
        `Saga ${f.req.sagaId}: compensations are not in reverse order — "${a}" undone at t=${ta}, "${b}" at t=${tb}. Required: refund → car → hotel → booking, each after the previous one answered.`,
        Math.max(ta, tb),
      );
    }
  }
  return null;
}

/** Safety: compensations are semantic and idempotent (one refund per charge, charges never disappear). */
function moneyOnce(f: SagaFacts, run: RunOutcome): Violation | null {
  const id = f.req.sagaId;
  const ledger = run.rows('payment', 'ledger').filter((l) => l.sagaId === id && l.type === 'charge');
  for (const l of ledger) {
    if (!f.charges.some((c) => c.id === l.chargeId))
      return v(
        `Сага ${id}: списание ${String(l.chargeId)} исчезло из payment.charges. Компенсация должна быть семантической: возврат — новая запись (refund), а не удаление.`,
        `Saga ${id}: charge ${String(l.chargeId)} vanished from payment.charges. Compensation must be semantic: a refund is a new record, not a delete.`,
        num(l.at),
      );
  }
  if (f.charges.length > 1)
    return v(
      `Сага ${id}: ${f.charges.length} списания (chargeId: ${f.charges.map((c) => c.id).join(', ')}). Повтор запроса должен идти с тем же ключом идемпотентности.`,
      `Saga ${id}: charged ${f.charges.length} times (chargeIds: ${f.charges.map((c) => c.id).join(', ')}). A retry must reuse the same idempotency key.`,
      num(f.charges[1]!.at),
    );
  for (const c of f.charges) {
    const rs = f.refunds.filter((r) => r.chargeId === c.id);
    if (rs.length > 1)
      return v(
        `Сага ${id}: списание ${String(c.id)} возвращено ${rs.length} раза. Компенсация должна быть идемпотентной: повтор refund — с тем же refundId.`,
        `Saga ${id}: charge ${String(c.id)} was refunded ${rs.length} times. Compensation must be idempotent: a retried refund reuses its refundId.`,
        num(rs[1]!.at),
      );
  }
  return null;
}

function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service === 'orchestrator');
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: string; op?: string };
  return v(
    `Оркестратор обратился напрямую к базе данных сервиса «${d.owner}» (${d.op}). У каждого сервиса своя БД: используйте его API (ctx.call).`,
    `The orchestrator accessed the database of "${d.owner}" directly (${d.op}). Each service owns its database: use its API (ctx.call).`,
    e.t,
  );
}

function forAll(run: RunOutcome, ...props: Array<(f: SagaFacts, run: RunOutcome) => Violation | null>): Violation | null {
  for (const f of facts(run)) {
    for (const p of props) {
      const x = p(f, run);
      if (x) return x;
    }
  }
  return null;
}

function expectOutcome(run: RunOutcome, sagaId: string, status: 'CONFIRMED' | 'CANCELLED', why: Localized): Violation | null {
  const f = facts(run).find((x) => x.req.sagaId === sagaId)!;
  const fin = finished(f, run);
  if (fin) return fin;
  if (f.booking?.status !== status)
    return v(`Сага ${sagaId}: ожидался статус ${status} (${why.ru}), получен ${String(f.booking?.status)}.`, `Saga ${sagaId}: expected ${status} (${why.en}), got ${String(f.booking?.status)}.`, num(f.booking?.updatedAt));
  return consistent(f);
}

function withinLiveness(f: SagaFacts, run: RunOutcome): Violation | null {
  const fin = finished(f, run);
  if (fin) return fin;
  const lastSubmit = num(f.submission?.acceptedAt);
  const deadline = Math.max(run.quietAt, lastSubmit) + LIVENESS_MS;
  const doneAt = num(f.booking?.updatedAt);
  if (doneAt > deadline)
    return v(
      `Сага ${f.req.sagaId} завершилась только в t=${doneAt}, позже чем через ${LIVENESS_MS} мс после окончания отказов (t=${Math.max(run.quietAt, lastSubmit)}). Нужны таймауты и ограниченные повторы.`,
      `Saga ${f.req.sagaId} finished only at t=${doneAt}, more than ${LIVENESS_MS} ms after the faults ended (t=${Math.max(run.quietAt, lastSubmit)}). Use timeouts and bounded retries.`,
      doneAt,
    );
  return null;
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const C = (ru: string, en: string): Localized => ({ ru, en });

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
      if (active(f.car)) return v('Номера нет, а автомобиль остался зарезервирован.', 'No room, yet a car stayed reserved.');
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
        return v('Автомобиль и номер должны быть отменены (CANCELLED).', 'The car and the room must both be CANCELLED.');
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
    points: 10,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['orchestrator-crash'],
    random: true,
    verify: (run) =>
      run.random
        ? forAll(run, finished)
        : expectOutcome(run, 'crash-ok', 'CONFIRMED', C('все шаги успешны, был лишь рестарт', 'every step succeeds, there was only a restart')) ??
          expectOutcome(run, 'crash-declined', 'CANCELLED', C('карта отклонена', 'the card is declined')) ??
          forAll(run, (f) => reverseOrder(f, false)),
  },
  {
    id: 'idempotent-compensation',
    title: C('Компенсации идемпотентны и семантичны (возврат — новая запись)', 'Compensations are idempotent and semantic (a refund is a new record)'),
    points: 10,
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
          );
      }
      return forAll(run, moneyOnce);
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
        ? forAll(run, (f) => (finished(f, run) ? null : consistent(f)), moneyOnce)
        : expectOutcome(run, 'dup-1', 'CONFIRMED', C('все шаги успешны', 'every step succeeds')) ??
          expectOutcome(run, 'dup-2', 'CONFIRMED', C('все шаги успешны', 'every step succeeds')) ??
          forAll(run, moneyOnce),
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
    title: C('Случайные отказы: каждая сага завершается (COMPLETED/COMPENSATED) и остаётся согласованной', 'Random faults: every saga ends COMPLETED or COMPENSATED and stays consistent'),
    points: 15,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: (run) => forAll(run, withinLiveness, (f) => consistent(f), (f) => reverseOrder(f, false), moneyOnce),
  },
];

const RANDOM_SECOND: Array<(id: string) => BookingRequest> = [
  (id) => request(id, { card: DECLINED_CARD }),
  (id) => request(id, { hotelId: 'full' }),
  (id) => request(id, { car: { carType: LEMON_CAR, pickupDate: '2026-07-02' } }),
  (id) => request(id, { car: null, amount: 300 }),
];

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
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
    setup: (seed) => {
      const second = RANDOM_SECOND[seed % RANDOM_SECOND.length]!;
      return setup(world([{ at: 0, request: request(`r${seed}-a`) }, { at: 10, request: second(`r${seed}-b`) }]));
    },
    schedule: {
      services: ['orchestrator', 'booking', 'hotel', 'car', 'payment'],
      horizonMs: 300,
      episodes: 3,
      minDowntimeMs: 20,
      maxDowntimeMs: 400,
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
      'Компенсации повторяйте, пока не получится (с паузой), а прямые шаги — ограниченное число раз, после чего компенсируйте.',
      'Retry compensations until they succeed (with a pause); retry forward steps a bounded number of times, then compensate.',
    ),
  ],
  sim: { maxEvents: 200_000, maxTime: 60_000 },
};

export default exercise;

/**
 * The properties the hotel saga's checks evaluate, read from the participants'
 * committed state and the trace. Each function judges one property of one saga
 * (or of the run) and explains a violation in both languages, with the virtual
 * time that selects the trace slice shown to the learner.
 */
import type { Row } from '../../src/sim/types.ts';
import type { Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { longestOutageDuring, outages } from '../../src/grading/outages.ts';
import { DECLINED_CARD, LEMON_CAR, type BookingRequest, type Submission } from './services.ts';

/** Virtual ms after the last fault (or the last submission) within which every saga must be finished. */
export const LIVENESS_MS = 5000;
/** The statement's retry budget: every forward step gets at least this many attempts… */
export const MIN_ATTEMPTS = 5;
/** …and is given up within this long. */
export const MAX_RETRY_MS = 2000;
/** Calm shorter than this does not end an outage (a retry needs calm to get through). */
export const OUTAGE_MERGE_GAP_MS = 400;
/**
 * In random runs, a booking that can succeed and whose saga saw no outage longer
 * than this must be CONFIRMED. Deliberately lenient: any saga that retries for a
 * fifth of a second rides such faults out (5 attempts with a 100 ms pause take
 * 0.4 s even when each fails at once).
 */
export const PROGRESS_MAX_OUTAGE_MS = 200;

export interface WorkloadData {
  submissions: Submission[];
  /** Full-capacity hotels (NO_ROOMS) of the world, for "could this booking succeed?". */
  fullHotels: string[];
}

/** Facts about one saga, read from the participants' committed state. */
export interface SagaFacts {
  req: BookingRequest;
  submittedAt: number;
  booking: Row | undefined;
  hotel: Row | undefined;
  car: Row | undefined;
  charges: Row[];
  refunds: Row[];
  saga: Row | undefined;
  submission: Row | undefined;
}

export function workload(run: RunOutcome): WorkloadData {
  const d = (run.data ?? {}) as Partial<WorkloadData>;
  return { submissions: d.submissions ?? [], fullHotels: d.fullHotels ?? [] };
}

export function facts(run: RunOutcome): SagaFacts[] {
  const byId = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));
  const bookings = byId(run.rows('booking', 'bookings'));
  const hotels = byId(run.rows('hotel', 'reservations'));
  const cars = byId(run.rows('car', 'reservations'));
  const sagas = byId(run.rows('orchestrator', 'sagas'));
  const subs = byId(run.rows('client', 'submissions'));
  const charges = run.rows('payment', 'charges');
  const refunds = run.rows('payment', 'refunds');
  return workload(run).submissions.map(({ at, request: req }) => ({
    req,
    submittedAt: at,
    booking: bookings.get(req.sagaId),
    hotel: hotels.get(req.sagaId),
    car: cars.get(req.sagaId),
    charges: charges.filter((c) => c.sagaId === req.sagaId),
    refunds: refunds.filter((r) => r.sagaId === req.sagaId),
    saga: sagas.get(req.sagaId),
    submission: subs.get(req.sagaId),
  }));
}

export const num = (x: unknown) => (typeof x === 'number' ? x : 0);
const net = (f: SagaFacts) => f.charges.reduce((s, c) => s + num(c.amount), 0) - f.refunds.reduce((s, r) => s + num(r.amount), 0);
export const active = (r: Row | undefined) => r !== undefined && r.status !== 'CANCELLED';
export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
const isFinal = (s: unknown) => s === 'CONFIRMED' || s === 'CANCELLED';

const PIVOT: Localized = {
  ru: 'confirmBooking — точка невозврата (pivot): отправив его, повторяйте confirmBooking (он идемпотентен), пока не придёт ответ, и не компенсируйте после него; отказанную компенсацию повторять бесполезно.',
  en: 'confirmBooking is the pivot (point of no return): once it is sent, retry confirmBooking (it is idempotent) until it answers, and never compensate after it; a refused compensation cannot be retried into success.',
};

/** Liveness: the saga ended (booking CONFIRMED/CANCELLED and the orchestrator's saga COMPLETED/COMPENSATED). */
export function finished(f: SagaFacts, run: RunOutcome): Violation | null {
  const id = f.req.sagaId;
  if (f.submission && f.submission.acceptedAt === null) {
    return v(
      `Клиент так и не получил {accepted: true} на startBooking для ${id} (60 попыток).`,
      `The client never got {accepted: true} from startBooking for ${id} (60 attempts).`,
    );
  }
  const status = f.booking?.status;
  const sagaStatus = f.saga?.status;
  if (!isFinal(status)) {
    if (sagaStatus === 'COMPENSATED' || sagaStatus === 'COMPLETED') {
      const undo = sagaStatus === 'COMPENSATED';
      return v(
        `Оркестратор пометил сагу ${id} как ${sagaStatus}, но бронирование осталось в статусе ${status ?? 'не создано'}: ` +
          (undo
            ? 'cancelBooking так и не был выполнен. Отменяйте каждый шаг, который мог выполниться, — и тот, на который не пришёл ответ, — и повторяйте компенсацию, пока она не ответит.'
            : 'confirmBooking так и не был выполнен.'),
        `The orchestrator marked saga ${id} ${sagaStatus}, but the booking is still ${status ?? 'missing'}: ` +
          (undo
            ? 'cancelBooking never took effect. Undo every step that may have happened — including one whose reply never came — and retry a compensation until it answers.'
            : 'confirmBooking never took effect.'),
        num(f.saga?.updatedAt),
      );
    }
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
  if (sagaStatus !== want) {
    const pivot = status === 'CONFIRMED' && sagaStatus !== 'STARTED';
    return v(
      `Сага ${id}: бронирование ${status}, но в таблице orchestrator.sagas статус ${String(sagaStatus ?? 'нет строки')} (ожидался ${want}).` + (pivot ? ` ${PIVOT.ru}` : ''),
      `Saga ${id}: the booking is ${status} but orchestrator.sagas says ${String(sagaStatus ?? 'no row')} (expected ${want}).` + (pivot ? ` ${PIVOT.en}` : ''),
      pivot ? run.now : num(f.booking?.updatedAt),
    );
  }
  return null;
}

/** Safety: the final state of a finished saga is all-or-nothing. */
export function consistent(f: SagaFacts): Violation | null {
  const id = f.req.sagaId;
  const paid = net(f);
  const at = num(f.booking?.updatedAt);
  if (f.booking?.status === 'CONFIRMED') {
    const pivot = (r: Row | undefined) => (r?.status === 'CANCELLED' ? { ru: ` ${PIVOT.ru}`, en: ` ${PIVOT.en}` } : { ru: '', en: '' });
    if (f.hotel?.status !== 'CONFIRMED') {
      const p = pivot(f.hotel);
      return v(
        `Сага ${id} подтверждена, но номер в отеле в статусе ${String(f.hotel?.status ?? 'нет')}.${p.ru}`,
        `Saga ${id} is confirmed but its hotel reservation is ${String(f.hotel?.status ?? 'missing')}.${p.en}`,
        num(f.hotel?.cancelledAt) || at,
      );
    }
    if (f.req.car && f.car?.status !== 'CONFIRMED') {
      const p = pivot(f.car);
      return v(
        `Сага ${id} подтверждена, но автомобиль в статусе ${String(f.car?.status ?? 'нет')}.${p.ru}`,
        `Saga ${id} is confirmed but its car reservation is ${String(f.car?.status ?? 'missing')}.${p.en}`,
        num(f.car?.cancelledAt) || at,
      );
    }
    if (!f.req.car && active(f.car))
      return v(`Сага ${id}: автомобиль не заказывали, но он зарезервирован.`, `Saga ${id}: no car was requested, yet a car is reserved.`, at);
    if (f.charges.length !== 1)
      return v(`Сага ${id} подтверждена, но списаний ${f.charges.length} (должно быть ровно одно).`, `Saga ${id} is confirmed but was charged ${f.charges.length} times (must be exactly once).`, at);
    if (paid !== f.req.amount)
      return v(
        `Сага ${id} подтверждена, но итог по оплате ${paid} вместо ${f.req.amount}.${f.refunds.length ? ` ${PIVOT.ru}` : ''}`,
        `Saga ${id} is confirmed but the net payment is ${paid} instead of ${f.req.amount}.${f.refunds.length ? ` ${PIVOT.en}` : ''}`,
        f.refunds.length ? num(f.refunds[0]!.at) : at,
      );
  } else if (f.booking?.status === 'CANCELLED') {
    if (paid > 0)
      return v(`Деньги списаны за отменённое бронирование ${id}: итог ${paid} (должен быть 0).`, `Money charged for the cancelled booking ${id}: net ${paid} (must be 0).`, at);
    if (paid < 0)
      return v(
        `Отменённое бронирование ${id}: возвращено больше, чем списано (итог ${paid}). Повторный refund должен идти с тем же refundId.`,
        `Cancelled booking ${id}: more was refunded than charged (net ${paid}). A retried refund must reuse its refundId.`,
        at,
      );
    const unacked = {
      ru: ' Компенсируйте каждый шаг, который мог выполниться (и тот, что не ответил), и повторяйте каждую компенсацию, пока она не ответит.',
      en: ' Compensate every step that may have happened (also one that never answered), and retry each compensation until it answers.',
    };
    if (active(f.hotel))
      return v(`Бронирование ${id} отменено, но номер остался в статусе ${String(f.hotel!.status)}.${unacked.ru}`, `Booking ${id} is cancelled but its room is still ${String(f.hotel!.status)}.${unacked.en}`, at);
    if (active(f.car))
      return v(`Бронирование ${id} отменено, но автомобиль остался в статусе ${String(f.car!.status)}.${unacked.ru}`, `Booking ${id} is cancelled but its car is still ${String(f.car!.status)}.${unacked.en}`, at);
  }
  return null;
}

/** Safety: compensations in reverse order: refund → car → hotel → booking. */
export function reverseOrder(f: SagaFacts, strict: boolean): Violation | null {
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

/** Idempotent forward step: one charge per saga however often the charge was retried or duplicated. */
export function chargedOnce(f: SagaFacts): Violation | null {
  if (f.charges.length <= 1) return null;
  const id = f.req.sagaId;
  return v(
    `Сага ${id}: ${f.charges.length} списания (chargeId: ${f.charges.map((c) => c.id).join(', ')}). Повтор запроса должен идти с тем же ключом идемпотентности.`,
    `Saga ${id}: charged ${f.charges.length} times (chargeIds: ${f.charges.map((c) => c.id).join(', ')}). A retry must reuse the same idempotency key.`,
    num(f.charges[1]!.at),
  );
}

/** Semantic, idempotent compensation: charges never disappear, and each is refunded at most once. */
export function refundedOnce(f: SagaFacts, run: RunOutcome): Violation | null {
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

export function moneyOnce(f: SagaFacts, run: RunOutcome): Violation | null {
  return refundedOnce(f, run) ?? chargedOnce(f);
}

export function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service === 'orchestrator');
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: string; op?: string };
  return v(
    `Оркестратор обратился напрямую к базе данных сервиса «${d.owner}» (${d.op}). У каждого сервиса своя БД: используйте его API (ctx.call).`,
    `The orchestrator accessed the database of "${d.owner}" directly (${d.op}). Each service owns its database: use its API (ctx.call).`,
    e.t,
  );
}

export function withinLiveness(f: SagaFacts, run: RunOutcome): Violation | null {
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

/** Whether the participants' business rules let this booking succeed (card, rooms, car inspection). */
export function canSucceed(req: BookingRequest, fullHotels: string[]): boolean {
  return req.card !== DECLINED_CARD && !fullHotels.includes(req.hotelId) && req.car?.carType !== LEMON_CAR;
}

/**
 * Progress (random runs): a booking that the participants would accept, and
 * whose saga saw no outage longer than PROGRESS_MAX_OUTAGE_MS, must end
 * CONFIRMED — the statement's retry budget rides out such faults.
 */
export function progress(f: SagaFacts, run: RunOutcome): Violation | null {
  if (!run.random || f.booking?.status !== 'CANCELLED') return null;
  if (!canSucceed(f.req, workload(run).fullHotels)) return null;
  const until = num(f.booking.cancelledAt) || run.now;
  const longest = longestOutageDuring(outages(run.faults, { mergeGapMs: OUTAGE_MERGE_GAP_MS }), f.submittedAt, until);
  const len = longest ? longest.end - longest.start : 0;
  if (len > PROGRESS_MAX_OUTAGE_MS) return null;
  const why = String(f.saga?.failure ?? '');
  const outage = longest
    ? { ru: `самый долгий отказ за время саги — ${round(len)} мс (t=${longest.start}…${longest.end})`, en: `the longest outage during the saga lasted ${round(len)} ms (t=${longest.start}…${longest.end})` }
    : { ru: 'за время саги отказов не было', en: 'there was no fault during the saga' };
  return v(
    `Сага ${f.req.sagaId} отменена, хотя могла пройти: ${outage.ru}, а бюджет повторов из условия (не меньше ${MIN_ATTEMPTS} попыток на каждый прямой шаг, с паузой) переживает отказы до ${PROGRESS_MAX_OUTAGE_MS} мс.${why ? ` Причина в sagas.failure: ${why}.` : ''}`,
    `Saga ${f.req.sagaId} was cancelled although it could have succeeded: ${outage.en}, and the statement's retry budget (at least ${MIN_ATTEMPTS} attempts per forward step, with a pause) rides out outages up to ${PROGRESS_MAX_OUTAGE_MS} ms.${why ? ` sagas.failure says: ${why}.` : ''}`,
    num(f.booking.cancelledAt) || undefined,
  );
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Strings that identify one saga in a request: its id and the longer string
 * values of its `sagas` row that no other saga's row holds (e.g. a chargeId the
 * orchestrator generated once and stored).
 */
function identifiers(f: SagaFacts, all: SagaFacts[]): string[] {
  const leaves = (x: unknown, out: Set<string>) => {
    if (typeof x === 'string') {
      if (x.length >= 8) out.add(x);
    } else if (x && typeof x === 'object') for (const y of Object.values(x)) leaves(y, out);
    return out;
  };
  const mine = leaves(f.saga, new Set<string>());
  for (const g of all) if (g !== f) for (const s of leaves(g.saga, new Set<string>())) mine.delete(s);
  return [f.req.sagaId, ...mine];
}

/** Times of the requests the orchestrator sent that name one of `ids`. */
function requestsAbout(run: RunOutcome, ids: string[]): number[] {
  const out: number[] = [];
  for (const e of run.traceOf('send')) {
    if (e.service !== 'orchestrator') continue;
    const d = e.data as { kind?: string; payload?: unknown } | undefined;
    if (d?.kind !== 'request') continue;
    let text: string;
    try {
      text = JSON.stringify(d.payload) ?? '';
    } catch {
      continue;
    }
    if (ids.some((id) => text.includes(id))) out.push(e.t);
  }
  return out;
}

/**
 * Crash recovery (random runs): when the orchestrator restarted, every accepted
 * saga that was not finished is in `sagas` and is taken up again — the restarted
 * orchestrator sends requests for it. Whether it then finishes well is the
 * random-faults check's business.
 */
export function resumedAfterRestart(f: SagaFacts, run: RunOutcome, all: SagaFacts[] = facts(run)): Violation | null {
  const acceptedAt = f.submission?.acceptedAt;
  if (typeof acceptedAt !== 'number') return null;
  const restarts = run.faults.filter((x) => x.kind === 'restart' && x.service === 'orchestrator' && x.at > acceptedAt).map((x) => x.at);
  if (restarts.length === 0) return null;
  const lastRestart = Math.max(...restarts);
  const id = f.req.sagaId;
  if (!f.saga)
    return v(
      `Сага ${id} принята (accepted в t=${acceptedAt}), но после рестарта оркестратора её нет в таблице sagas: сохраняйте сагу в своей БД до ответа {accepted: true}.`,
      `Saga ${id} was accepted (at t=${acceptedAt}) but after the orchestrator restarted it is not in the sagas table: store the saga in your own database before answering {accepted: true}.`,
      lastRestart,
    );
  const sagaDone = f.saga.status === 'COMPLETED' || f.saga.status === 'COMPENSATED';
  if (isFinal(f.booking?.status) && sagaDone) return null;
  if (requestsAbout(run, identifiers(f, all)).some((t) => t >= lastRestart)) return null;
  return v(
    `Сага ${id} не завершена (бронирование ${String(f.booking?.status ?? 'не создано')}, sagas.status ${String(f.saga.status)}), а оркестратор после рестарта в t=${lastRestart} не отправил по ней ни одного запроса: при старте (ctx.incarnation > 1) найдите незавершённые саги в sagas и продолжите их.`,
    `Saga ${id} is unfinished (booking ${String(f.booking?.status ?? 'missing')}, sagas.status ${String(f.saga.status)}) and the orchestrator sent no request for it after restarting at t=${lastRestart}: on start (ctx.incarnation > 1) find the unfinished sagas and continue them.`,
    lastRestart,
  );
}

export function forAll(run: RunOutcome, ...props: Array<(f: SagaFacts, run: RunOutcome) => Violation | null>): Violation | null {
  for (const f of facts(run)) {
    for (const p of props) {
      const x = p(f, run);
      if (x) return x;
    }
  }
  return null;
}

export function expectOutcome(run: RunOutcome, sagaId: string, status: 'CONFIRMED' | 'CANCELLED', why: Localized): Violation | null {
  const f = facts(run).find((x) => x.req.sagaId === sagaId)!;
  const fin = finished(f, run);
  if (fin) return fin;
  if (f.booking?.status !== status)
    return v(`Сага ${sagaId}: ожидался статус ${status} (${why.ru}), получен ${String(f.booking?.status)}.`, `Saga ${sagaId}: expected ${status} (${why.en}), got ${String(f.booking?.status)}.`, num(f.booking?.updatedAt));
  return consistent(f);
}

/**
 * Exercise "two-phase-commit-transfer" (course chapter 2, distributed
 * transactions): the learner writes a 2PC coordinator (run as `coordinator`
 * and `coordinator-2`) and one participant export run as `account`, `payment`
 * and `audit`, for the course's transfer (user 1 → user 2, 100). The scenarios
 * are the course's three questions (payment unavailable, audit crashed, how to
 * undo the account change) plus the three named problems of 2PC: blocking,
 * the coordinator as a single point of failure, and the message cost — the
 * last two shown next to a provided saga version of the same transfer.
 */
import { generateSchedule, quietTime, type ScheduleOptions } from '../../src/sim/nemesis.ts';
import { Prng } from '../../src/sim/prng.ts';
import type { CheckSpec, ExerciseDefinition, Fault, Localized, RunOutcome, ScenarioSetup, Violation } from '../../src/grading/types.ts';
import {
  ATTEMPT_TIMEOUT_MS,
  SAGA_ACCOUNT,
  SAGA_AUDIT,
  SAGA_NODES,
  clientService,
  initialAccounts,
  sagaWorld,
  type Submission,
} from './services.ts';
import {
  C,
  COORDINATORS,
  PARTICIPANTS,
  appliedEverywhere,
  atomicity,
  clientOutcomes,
  expectOutcome,
  facts,
  firedAt,
  flatten,
  messagesAmong,
  ms,
  neverApplied,
  outcome,
  repliesOf,
  show,
  v,
  workload,
  yesVoteAt,
} from './properties.ts';
import type { TransferRequest } from './types.ts';

export const ID = 'two-phase-commit-transfer';
/** After a crashed participant or coordinator is back, the transfer must be finished within this (virtual ms). */
export const RECOVER_MS = 2000;
/** Random runs: every transfer decided, and every account usable again, this long after the last fault. */
export const LIVENESS_MS = 3000;
/** The coordinator's outage in the blocking scenario. */
export const DOWNTIME_MS = 2000;

const LEARNER_NODES = [...COORDINATORS, ...PARTICIPANTS];

const tr = (txId: string, from: number, to: number, amount: number): TransferRequest => ({ txId, from, to, amount });
const retry = (at: number, request: TransferRequest, via = 'coordinator'): Submission => ({ at, via, request, mode: 'retry' });

interface Extra {
  faults?: Fault[];
  /** Run the saga version of the same script next to the 2PC (for the report). */
  saga?: { faults: Fault[] };
}

function setup(subs: Submission[], extra: Extra = {}): ScenarioSetup {
  const accounts = { accounts: { rows: initialAccounts() } };
  return {
    services: [clientService('client', subs), ...(extra.saga ? sagaWorld(subs) : [])],
    initialRows: { account: accounts, ...(extra.saga ? { [SAGA_ACCOUNT]: accounts } : {}) },
    faults: [...(extra.faults ?? []), ...(extra.saga?.faults ?? [])],
    data: flatten(subs),
  };
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'transfer',
    title: C('Перевод из курса: со счёта 1 на счёт 2, 100', "The course's transfer: account 1 to account 2, 100"),
    seed: 201,
    setup: () => setup([retry(10, tr('t-1', 1, 2, 100))], { saga: { faults: [] } }),
  },
  {
    id: 'insufficient-funds',
    title: C('Недостаточно средств: account голосует NO', 'Insufficient funds: account votes NO'),
    seed: 202,
    setup: () => setup([retry(10, tr('nf-1', 3, 1, 500)), retry(1500, tr('nf-2', 3, 1, 150))]),
  },
  {
    id: 'payment-unavailable',
    title: C('«Что если Payment Service недоступен?» — payment отрезан сетью во время PREPARE', '"What if the Payment Service is unavailable?" — payment is partitioned away during PREPARE'),
    seed: 203,
    setup: () =>
      setup([retry(10, tr('pu-1', 1, 2, 100)), retry(3000, tr('pu-2', 1, 2, 100))], {
        faults: [
          { at: 0, kind: 'partition', groups: [['payment'], ['account', 'audit', 'client', 'coordinator', 'coordinator-2']] },
          { at: 2000, kind: 'heal' },
        ],
      }),
  },
  {
    id: 'audit-crash-after-yes',
    title: C('«Что если Audit Service упал?» — audit проголосовал YES и падает, получив COMMIT', '"What if the Audit Service crashed?" — audit voted YES and crashes on receiving COMMIT'),
    seed: 204,
    setup: () => setup([retry(10, tr('ac-1', 1, 2, 100))], { faults: [{ at: 0, kind: 'crash-after', service: 'audit', on: 'deliver', method: 'commit', restartAfterMs: 300 }] }),
  },
  {
    id: 'audit-crash-before-vote',
    title: C('audit записал PREPARED и падает, не успев отправить голос', 'audit stored PREPARED and crashes before its vote is sent'),
    seed: 205,
    setup: () =>
      setup([retry(10, tr('ab-1', 1, 2, 100)), retry(2000, tr('ab-2', 1, 2, 100))], {
        faults: [{ at: 0, kind: 'crash-after', service: 'audit', on: 'handler-return', method: 'prepare', restartAfterMs: 300 }],
      }),
  },
  {
    id: 'coordinator-crash-after-commit',
    title: C('Координатор падает, отправив COMMIT первому участнику', 'The coordinator crashes after sending COMMIT to the first participant'),
    seed: 206,
    setup: () => setup([retry(10, tr('dd-1', 1, 2, 100))], { faults: [{ at: 0, kind: 'crash-after', service: 'coordinator', on: 'send', method: 'commit', nth: 1, restartAfterMs: 1000 }] }),
  },
  {
    id: 'coordinator-down',
    title: C('Blocking: координатор лежит 2 с, когда все участники в PREPARED', 'Blocking: the coordinator is down for 2 s while every participant is PREPARED'),
    seed: 207,
    setup: () =>
      setup(
        [
          retry(10, tr('cd-1', 1, 2, 100)),
          { at: 500, via: 'coordinator-2', request: tr('cd-2', 1, 3, 50), mode: 'once' },
          { at: 750, via: 'coordinator-2', request: tr('cd-p', 1, 3, 1), mode: 'probe', until: 6000 },
        ],
        {
          faults: [{ at: 0, kind: 'crash-after', service: 'coordinator', on: 'deliver', method: 'prepare', nth: 3, restartAfterMs: DOWNTIME_MS }],
          saga: { faults: [{ at: 0, kind: 'crash-after', service: 'saga', on: 'deliver', method: 'debit', nth: 1, restartAfterMs: DOWNTIME_MS }] },
        },
      ),
  },
];

// ---------------------------------------------------------------------------
// Random fault runs
// ---------------------------------------------------------------------------

const PAIRS: ReadonlyArray<[number, number]> = [
  [1, 2],
  [2, 1],
  [1, 3],
  [3, 1],
  [2, 3],
  [3, 2],
];
/** At most 3 × 240 leaves account 1 (1000) with money for the probes; 240 from account 3 (200) is refused. */
const AMOUNTS = [100, 60, 30, 240];
const RANDOM_TRANSFERS = 3;

const schedule: ScheduleOptions = {
  services: [...LEARNER_NODES],
  nodes: [...LEARNER_NODES, 'client'],
  horizonMs: 500,
  episodes: 2,
  maxEpisodes: 5,
  minDowntimeMs: 20,
  maxDowntimeMs: 1000,
  downtime: 'mostly-short',
  kinds: ['crash', 'partition', 'latency', 'loss', 'db-write-failure', 'crash-after'],
  crashPoints: [
    ...COORDINATORS.flatMap((c) => [
      { service: c, on: 'deliver' as const, method: 'prepare' },
      { service: c, on: 'send' as const, method: 'commit' },
      { service: c, on: 'send' as const, method: 'abort' },
      { service: c, on: 'tx-commit' as const },
      { service: c, on: 'handler-return' as const, method: 'transfer' },
    ]),
    ...PARTICIPANTS.flatMap((p) => [
      { service: p, on: 'handler-return' as const, method: 'prepare' },
      { service: p, on: 'deliver' as const, method: 'commit' },
      { service: p, on: 'deliver' as const, method: 'abort' },
      { service: p, on: 'tx-commit' as const },
    ]),
  ],
  crashPointMaxNth: 3,
};

/** Start of the probes of a random run: well after the schedule's last fault. */
function probeStart(seed: number): number {
  return Math.max(quietTime(generateSchedule(seed, schedule)), 300) + 1000;
}

function randomSetup(seed: number): ScenarioSetup {
  const rng = new Prng(seed, 'workload');
  const subs: Submission[] = [];
  for (let i = 0; i < RANDOM_TRANSFERS; i++) {
    const [from, to] = PAIRS[rng.int(0, PAIRS.length - 1)]!;
    const amount = AMOUNTS[rng.int(0, AMOUNTS.length - 1)]!;
    subs.push(retry(Math.round(rng.next() * 300), tr(`r${seed}-${i + 1}`, from, to, amount), COORDINATORS[(seed + i) % 2]));
  }
  // Probes, one after the other, through both coordinators: every account (1, 2, then 3) must accept transfers again once the faults are over.
  const start = probeStart(seed);
  const probe = (id: string, from: number, to: number, via: string, then?: Submission): Submission => ({
    at: 0,
    via,
    request: tr(`r${seed}-${id}`, from, to, 1),
    mode: 'probe',
    until: start + 2 * LIVENESS_MS,
    ...(then ? { then } : {}),
  });
  const chain = probe('p1', 1, 2, 'coordinator', probe('p2', 2, 3, 'coordinator-2'));
  subs.push({ ...chain, at: start });
  return setup(subs);
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

const BASIC = C('Базовый уровень: атомарный перевод двухфазной фиксацией; нет прямого доступа между БД сервисов', 'Basic: an atomic transfer by two-phase commit; no direct access between service databases');
const ADV = C('Продвинутый уровень: восстановление после падений участника и координатора', 'Advanced: recovery from participant and coordinator crashes');
const EXP = C('Экспертный уровень: blocking protocol и полная обработка ошибок', 'Expert: the blocking protocol and complete error handling');

const first = (...xs: Array<() => Violation | null>): Violation | null => {
  for (const x of xs) {
    const r = x();
    if (r) return r;
  }
  return null;
};

/** The client got a decision for the submission, whichever it is. */
function decided(run: RunOutcome, id: string): Violation | null {
  const status = outcome(run, id)?.status;
  return status === 'COMMITTED' || status === 'ABORTED' ? null : expectOutcome(run, id, 'ABORTED', C('', ''));
}

/** A scenario whose crash point never fired did not happen as designed: say so instead of passing. */
function needCrash(run: RunOutcome, service: string, what: Localized): Violation | null {
  if (firedAt(run, service) !== undefined) return null;
  return v(
    `Сценарий не состоялся: ${what.ru} Проверьте, что методы называются как в условии (prepare, commit, abort).`,
    `The scenario did not happen: ${what.en} Check that the methods are named as in the statement (prepare, commit, abort).`,
    run.now,
  );
}

function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service !== undefined && (LEARNER_NODES as readonly string[]).includes(x.service));
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: unknown; op?: unknown };
  return v(
    `${e.service} обратился напрямую к базе данных сервиса «${show(d.owner)}» (${show(d.op)}). У каждого сервиса своя БД: координатор и участники общаются только сообщениями (prepare/commit/abort).`,
    `${e.service} accessed the database of "${show(d.owner)}" directly (${show(d.op)}). Each service owns its database: the coordinator and the participants talk only by messages (prepare/commit/abort).`,
    e.t,
  );
}

function transferObservation(run: RunOutcome): Localized | null {
  const m2 = messagesAmong(run, LEARNER_NODES);
  const ms2 = messagesAmong(run, SAGA_NODES);
  const yes = yesVoteAt(run, 'account', 't-1');
  const applied = facts(run).effects.account.get('t-1')?.at;
  const hold = yes !== undefined && applied !== undefined && !Number.isNaN(applied) ? applied - yes : undefined;
  const lock = hold === undefined ? C('', '') : C(`; account держал блокировку счетов 1 и 2 ${ms(hold)} мс (от голоса YES до фиксации)`, `; account held its locks on accounts 1 and 2 for ${ms(hold)} ms (from its YES vote to the commit)`);
  return C(
    `2PC: ${m2} сообщений между координатором и участниками на один перевод${lock.ru}.\nSaga (тот же перевод, для сравнения): ${ms2} сообщений, блокировок нет — каждый шаг фиксируется сразу.`,
    `2PC: ${m2} messages between the coordinator and the participants for this one transfer${lock.en}.\nSaga (the same transfer, for comparison): ${ms2} messages and no locks — each step commits at once.`,
  );
}

/** Blocking: tx cd-1 is in doubt while the coordinator is down; account 1 must refuse, then accept again once it is back. */
function blocking(run: RunOutcome): Violation | null {
  const crash = firedAt(run, 'coordinator');
  if (crash === undefined || crash >= 500)
    return v(
      `Сценарий не состоялся: координатор должен был упасть, получив третий голос по cd-1 (до t=500, когда приходит второй перевод), но ${crash === undefined ? 'трёх ответов на prepare так и не было' : `это случилось только в t=${ms(crash)}`}. Отправляйте prepare всем участникам сразу.`,
      `The scenario did not happen: the coordinator was to crash on receiving the third vote for cd-1 (before t=500, when the second transfer arrives), but ${crash === undefined ? 'three prepare replies never arrived' : `that happened only at t=${ms(crash)}`}. Send prepare to every participant at once.`,
      crash ?? run.now,
    );
  const back = crash + DOWNTIME_MS;
  const second = repliesOf(run, 'cd-2')[0];
  if (!second || second.status !== 'ABORTED' || second.reason !== 'LOCKED')
    return v(
      `Координатор упал в t=${ms(crash)}, когда все участники уже проголосовали YES по cd-1: счёт 1 заблокирован до решения. Второй перевод cd-2 со счёта 1 (через coordinator-2, t=500) должен сразу получить {status: 'ABORTED', reason: 'LOCKED'}, а получил ${second ? `${second.status}${second.reason ? ` (${show(second.reason)})` : ''} в t=${ms(second.at)}` : 'ничего'}. Участник, который не может взять блокировку, голосует NO с reason LOCKED без ожидания.`,
      `The coordinator crashed at t=${ms(crash)} after every participant voted YES for cd-1: account 1 is locked until the decision. The second transfer cd-2 from account 1 (via coordinator-2, t=500) must get {status: 'ABORTED', reason: 'LOCKED'} at once, but got ${second ? `${second.status}${second.reason ? ` (${show(second.reason)})` : ''} at t=${ms(second.at)}` : 'nothing'}. A participant that cannot take a lock votes NO with reason LOCKED without waiting.`,
      second?.at ?? 500,
    );
  const never = neverApplied(run, 'cd-2');
  if (never) return never;
  const f = facts(run);
  const early = [...f.effects.account].find(([txId, e]) => txId.startsWith('cd-p.') && e.at < back);
  if (early)
    return v(
      `Счёт 1 принял перевод ${show(early[0])} в t=${ms(early[1].at)}, хотя координатор лежал до t=${ms(back)} и cd-1 ещё не был решён. Подготовленный участник держит блокировки, пока не узнает решение координатора: решать самому нельзя (это и есть blocking protocol).`,
      `Account 1 accepted transfer ${show(early[0])} at t=${ms(early[1].at)}, although the coordinator was down until t=${ms(back)} and cd-1 was undecided. A prepared participant keeps its locks until it learns the coordinator's decision: it must not decide alone (that is the blocking protocol).`,
      early[1].at,
    );
  const probe = outcome(run, 'cd-p');
  if (!probe || probe.status !== 'COMMITTED' || probe.decidedAt > back + RECOVER_MS)
    return v(
      `Координатор вернулся в t=${ms(back)}, но счёт 1 ${probe?.status === 'COMMITTED' ? `снова принял перевод только в t=${ms(probe.decidedAt)}` : 'так и не принял ни одного перевода'} (допустимо до t=${ms(back + RECOVER_MS)}). После рестарта координатор решает судьбу cd-1 (или участник спрашивает его), и блокировки снимаются.`,
      `The coordinator was back at t=${ms(back)}, but account 1 ${probe?.status === 'COMMITTED' ? `accepted a transfer again only at t=${ms(probe.decidedAt)}` : 'never accepted another transfer'} (allowed until t=${ms(back + RECOVER_MS)}). After the restart the coordinator settles cd-1 (or the participant asks it) and the locks are released.`,
      probe?.decidedAt ?? back + RECOVER_MS,
    );
  const o = outcome(run, 'cd-1');
  if (!o || (o.status !== 'COMMITTED' && o.status !== 'ABORTED'))
    return v(
      `Перевод cd-1 так и не получил решения после возвращения координатора (t=${ms(back)}).`,
      `Transfer cd-1 never got a decision after the coordinator came back (t=${ms(back)}).`,
      run.now,
    );
  return atomicity(run);
}

function blockingObservation(run: RunOutcome): Localized | null {
  const crash = firedAt(run, 'coordinator');
  if (crash === undefined) return null;
  const f = facts(run);
  const yes = yesVoteAt(run, 'account', 'cd-1');
  const probe = outcome(run, 'cd-p');
  const probeAt = probe?.status === 'COMMITTED' ? f.effects.account.get(probe.txId)?.at : undefined;
  const refused = repliesOf(run, 'cd-2').concat(repliesOf(run, 'cd-p')).filter((r) => r.status === 'ABORTED').length;
  const cd1 = outcome(run, 'cd-1')?.status ?? '—';
  const held =
    refused === 0
      ? C('счёт 1 не отказал ни одному переводу — блокировки не было', 'account 1 refused no transfer — nothing was locked')
      : yes !== undefined && probeAt !== undefined
      ? C(`счёт 1 был заблокирован ${ms(probeAt - yes)} мс (с голоса YES в t=${ms(yes)} до первого принятого перевода в t=${ms(probeAt)}), отказов: ${refused}`, `account 1 was locked for ${ms(probeAt - yes)} ms (from its YES vote at t=${ms(yes)} to the first transfer it accepted again, at t=${ms(probeAt)}), refusals: ${refused}`)
      : C(`отказов со счёта 1: ${refused}`, `refusals on account 1: ${refused}`);
  const sagaAccount = new Map(run.rows(SAGA_ACCOUNT, 'transactions').map((r) => [String(r.id), r]));
  const sagaAudit = new Map(run.rows(SAGA_AUDIT, 'audit_log').map((r) => [String(r.id), r]));
  const sagaSecond = clientOutcomes(run, 'saga-client').get('cd-2');
  const start = sagaAccount.get('cd-1')?.at;
  const end = sagaAudit.get('cd-1')?.at;
  const gap = typeof start === 'number' && typeof end === 'number' ? end - start : undefined;
  const sagaText = C(
    `Saga, то же расписание (оркестратор лежит ${DOWNTIME_MS} мс после первого шага): второй перевод со счёта 1 ${sagaSecond ? `${sagaSecond.status} через ${ms(sagaSecond.decidedAt - sagaSecond.startedAt)} мс` : '—'} — счёт доступен, блокировок нет${gap === undefined ? '' : `; но ${ms(gap)} мс account показывал cd-1 без записей payment и audit (временная несогласованность)`}; сообщений: ${messagesAmong(run, SAGA_NODES)}.`,
    `Saga, the same schedule (its orchestrator down for ${DOWNTIME_MS} ms after the first step): the second transfer from account 1 was ${sagaSecond ? `${sagaSecond.status} after ${ms(sagaSecond.decidedAt - sagaSecond.startedAt)} ms` : '—'} — the account stays available, no locks${gap === undefined ? '' : `; but for ${ms(gap)} ms account showed cd-1 without its payment and audit records (temporarily inconsistent)`}; messages: ${messagesAmong(run, SAGA_NODES)}.`,
  );
  return C(
    `2PC: координатор лежал с t=${ms(crash)} до t=${ms(crash + DOWNTIME_MS)}, все участники в PREPARED; ${held.ru}; cd-1 завершился ${cd1}; сообщений: ${messagesAmong(run, LEARNER_NODES)}.\n${sagaText.ru}`,
    `2PC: the coordinator was down from t=${ms(crash)} to t=${ms(crash + DOWNTIME_MS)} with every participant PREPARED; ${held.en}; cd-1 ended ${cd1}; messages: ${messagesAmong(run, LEARNER_NODES)}.\n${sagaText.en}`,
  );
}

/** Random runs: every transfer is decided and every account usable again soon after the faults. */
function liveness(run: RunOutcome): Violation | null {
  for (const s of workload(run).submissions) {
    const o = outcome(run, s.request.txId);
    const start = s.mode === 'probe' ? o?.startedAt : s.at;
    if (start === undefined)
      return v(
        `Проверочный перевод ${s.request.txId} так и не начался: предыдущий в цепочке не прошёл.`,
        `Probe transfer ${s.request.txId} never started: the one before it in the chain did not get through.`,
        run.now,
      );
    const deadline = Math.max(run.quietAt, start) + LIVENESS_MS;
    const ok = s.mode === 'probe' ? o?.status === 'COMMITTED' : o?.status === 'COMMITTED' || o?.status === 'ABORTED';
    if (!ok || o!.decidedAt > deadline) {
      const what =
        s.mode === 'probe'
          ? C(
              `проверочный перевод ${s.request.from} → ${s.request.to} (${s.request.txId}.N, новый txId на каждую попытку) ${o?.status === 'COMMITTED' ? `прошёл только в t=${ms(o.decidedAt)}` : 'так и не прошёл'}: счёт заблокирован навсегда, участник завис в PREPARED или координатор не может закончить перевод`,
              `the probe transfer ${s.request.from} → ${s.request.to} (${s.request.txId}.N, a new txId per attempt) ${o?.status === 'COMMITTED' ? `got through only at t=${ms(o.decidedAt)}` : 'never got through'}: an account stays locked, a participant is stuck PREPARED, or the coordinator cannot finish a transfer`,
            )
          : C(
              `перевод ${s.request.txId} ${o && (o.status === 'COMMITTED' || o.status === 'ABORTED') ? `решён только в t=${ms(o.decidedAt)}` : 'так и не получил решения (COMMITTED/ABORTED), хотя клиент повторял запрос с тем же txId'}`,
              `transfer ${s.request.txId} ${o && (o.status === 'COMMITTED' || o.status === 'ABORTED') ? `was decided only at t=${ms(o.decidedAt)}` : 'never got a decision (COMMITTED/ABORTED), although the client kept retrying with the same txId'}`,
            );
      return v(
        `Отказы закончились в t=${ms(run.quietAt)}, но ${what.ru} (нужно до t=${ms(deadline)}).`,
        `The faults ended at t=${ms(run.quietAt)}, but ${what.en} (due by t=${ms(deadline)}).`,
        Math.min(o?.decidedAt ?? deadline, deadline),
      );
    }
  }
  return null;
}

const checks: CheckSpec[] = [
  {
    id: 'transfer',
    title: C('Перевод из курса: −100 у счёта 1, +100 у счёта 2, записи в transactions, payments и audit_log', "The course's transfer: −100 on account 1, +100 on account 2, rows in transactions, payments and audit_log"),
    points: 15,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['transfer'],
    random: false,
    verify: (run) =>
      first(
        () => expectOutcome(run, 't-1', 'COMMITTED', C('все участники могут выполнить перевод', 'every participant can do its part')),
        () => appliedEverywhere(run, 't-1'),
        () => atomicity(run),
      ),
    observe: transferObservation,
  },
  {
    id: 'vote-no',
    title: C('account голосует NO (недостаточно средств) ⇒ ничего не применено нигде, блокировок не осталось', 'account votes NO (insufficient funds) ⇒ nothing applied anywhere, no locks left'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['insufficient-funds'],
    random: false,
    verify: (run) =>
      first(
        () => expectOutcome(run, 'nf-1', 'ABORTED', C('на счёте 3 только 200', 'account 3 holds only 200')),
        () => neverApplied(run, 'nf-1'),
        () => expectOutcome(run, 'nf-2', 'COMMITTED', C('следующий перевод со счёта 3 на 150 выполним: после NO не остаётся блокировок', 'the next transfer of 150 from account 3 can be done: a NO leaves no locks')),
        () => atomicity(run),
      ),
  },
  {
    id: 'participant-unavailable',
    title: C('payment недоступен во время PREPARE ⇒ быстрый ABORT везде, блокировки сняты', 'payment unreachable during PREPARE ⇒ a prompt ABORT everywhere, locks released'),
    points: 15,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['payment-unavailable'],
    random: false,
    verify: (run) => {
      const r = repliesOf(run, 'pu-1')[0];
      if (!r || r.status !== 'ABORTED')
        return v(
          `payment отрезан сетью, голоса от него не будет. Первая попытка pu-1 должна получить ABORTED в пределах ${ATTEMPT_TIMEOUT_MS} мс, а получила ${r ? `${r.status} в t=${ms(r.at)}` : 'ничего'}. Отсутствие голоса — это NO: ждите голоса ограниченное время, не дольше нескольких сотен мс.`,
          `payment is partitioned away, its vote will not come. The first attempt of pu-1 must get ABORTED within ${ATTEMPT_TIMEOUT_MS} ms, but got ${r ? `${r.status} at t=${ms(r.at)}` : 'nothing'}. A missing vote is a NO: wait for votes a bounded time, a few hundred ms at most.`,
          r?.at ?? run.now,
        );
      return first(
        () => neverApplied(run, 'pu-1'),
        () => expectOutcome(run, 'pu-2', 'COMMITTED', C('после восстановления сети перевод со счёта 1 выполним: account и audit сняли блокировки по ABORT', 'after the network heals a transfer from account 1 can be done: account and audit released their locks on ABORT')),
        () => atomicity(run),
      );
    },
  },
  {
    id: 'own-database',
    title: C('Координатор и участники не лезут в чужие базы данных', 'The coordinator and the participants never touch other services’ databases'),
    points: 10,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['transfer', 'coordinator-down'],
    random: true,
    verify: noOwnershipViolation,
  },
  {
    id: 'participant-recovery',
    title: C('Упавший участник после рестарта узнаёт решение: фиксирует после YES+COMMIT, отменяет без решения COMMIT', 'A crashed participant learns the decision after its restart: commits after YES + COMMIT, aborts without one'),
    points: 10,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['audit-crash-after-yes', 'audit-crash-before-vote'],
    random: false,
    verify: (run) => {
      const crash = firedAt(run, 'audit');
      if (run.scenario === 'audit-crash-after-yes')
        return first(
          () => needCrash(run, 'audit', C('audit должен был упасть, получив commit, но commit к нему так и не пришёл.', 'audit was to crash on receiving commit, but no commit ever reached it.')),
          () => expectOutcome(run, 'ac-1', 'COMMITTED', C('все проголосовали YES, audit лишь перезапустился', 'everybody voted YES, audit merely restarted')),
          () =>
            appliedEverywhere(run, 'ac-1', {
              by: crash! + 300 + RECOVER_MS,
              why: C(`audit перезапущен в t=${ms(crash! + 300)}: подготовленное состояние в его БД, COMMIT повторяется или audit спрашивает координатора`, `audit restarted at t=${ms(crash! + 300)}: its prepared state is in its database, and COMMIT is retried or audit asks the coordinator`),
            }),
          () => atomicity(run),
        );
      return first(
        () => needCrash(run, 'audit', C('audit должен был упасть сразу после обработки prepare, но prepare к нему так и не пришёл.', 'audit was to crash right after handling prepare, but no prepare ever reached it.')),
        () => decided(run, 'ab-1'),
        // Usually ABORTED (the vote was lost); a coordinator that retried prepare until audit was back may have got its YES and committed.
        () => (outcome(run, 'ab-1')?.status === 'COMMITTED' ? appliedEverywhere(run, 'ab-1') : neverApplied(run, 'ab-1')),
        () => expectOutcome(run, 'ab-2', 'COMMITTED', C('следующий перевод выполним: после рестарта audit узнал ABORT, account снял блокировки', 'the next transfer can be done: after its restart audit learned ABORT, account released its locks')),
        () => atomicity(run),
      );
    },
  },
  {
    id: 'durable-decision',
    title: C('Решение координатора durable: упав после первого COMMIT, он доводит перевод до конца везде', 'The coordinator’s decision is durable: crashing after the first COMMIT, it still completes the transfer everywhere'),
    points: 15,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['coordinator-crash-after-commit'],
    random: false,
    verify: (run) => {
      const crash = firedAt(run, 'coordinator');
      return first(
        () => needCrash(run, 'coordinator', C('координатор должен был упасть, отправив первый commit, но commit он так и не отправил.', 'the coordinator was to crash after sending its first commit, but it never sent one.')),
        () => appliedEverywhere(run, 'dd-1', { by: crash! + 1000 + RECOVER_MS, why: C(`координатор перезапущен в t=${ms(crash! + 1000)}: решение COMMIT записано в его БД до первого commit`, `the coordinator restarted at t=${ms(crash! + 1000)}: the COMMIT decision was stored in its database before the first commit`) }),
        () => expectOutcome(run, 'dd-1', 'COMMITTED', C('один участник уже выполнил COMMIT: решение не может измениться', 'one participant has already committed: the decision cannot change')),
        () => atomicity(run),
      );
    },
  },
  {
    id: 'blocking',
    title: C('Blocking protocol: пока координатор лежит, подготовленный счёт отказывает (LOCKED), после его возвращения — снова доступен', 'Blocking protocol: while the coordinator is down the prepared account refuses (LOCKED); once it is back, the account is usable again'),
    points: 10,
    level: 'expert',
    criterion: EXP,
    scenarios: ['coordinator-down'],
    random: false,
    verify: blocking,
    observe: blockingObservation,
  },
  {
    id: 'random-atomicity',
    title: C('Случайные отказы: каждый перевод атомарен и применён не больше раза, деньги не исчезают, ответы клиенту верны', 'Random faults: every transfer atomic and applied at most once, money conserved, the client told the truth'),
    points: 10,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: atomicity,
  },
  {
    id: 'random-liveness',
    title: C('Случайные отказы: после них каждый перевод решён, и счета снова принимают переводы', 'Random faults: afterwards every transfer is decided and the accounts accept transfers again'),
    points: 5,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: liveness,
  },
];

export const exercise: ExerciseDefinition = {
  id: ID,
  version: 1,
  chapter: 2,
  order: 1,
  title: C('Двухфазная фиксация: перевод денег', 'Two-phase commit: a money transfer'),
  summary: C(
    'Напишите координатор 2PC и участника (account, payment, audit) для перевода из курса: атомарно при недоступном или упавшем участнике, с решением, которое переживает падение координатора, — и посмотрите, как 2PC блокирует счёт, пока координатор лежит, рядом с сагой.',
    "Write a 2PC coordinator and a participant (account, payment, audit) for the course's transfer: atomic when a participant is unreachable or crashes, with a decision that survives a coordinator crash — and watch 2PC block the account while the coordinator is down, next to a saga.",
  ),
  criteria: [BASIC, ADV, EXP],
  rubric: true,
  learnerServices: [
    { service: 'coordinator', exportName: 'coordinator' },
    { service: 'coordinator-2', exportName: 'coordinator' },
    { service: 'account', exportName: 'participant' },
    { service: 'payment', exportName: 'participant' },
    { service: 'audit', exportName: 'participant' },
  ],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: randomSetup,
    schedule,
  },
  checks,
  hints: [
    C(
      'Начните с протокола: координатор вызывает prepare у всех трёх участников, при всех YES записывает решение COMMIT в свою таблицу и только потом рассылает commit; при любом NO или отсутствии голоса — ABORT и abort всем.',
      'Start with the protocol: the coordinator calls prepare on all three participants; on three YES votes it stores the COMMIT decision in its own table and only then sends commit; on any NO or missing vote, ABORT and abort to everybody.',
    ),
    C(
      'Участник на prepare проверяет, может ли выполнить свою часть, и записывает PREPARED (с переводом) в свою БД до ответа YES; сам перевод применяется только на commit, одной локальной транзакцией вместе с изменением состояния.',
      'On prepare a participant checks it can do its part and stores PREPARED (with the transfer) in its database before answering YES; the transfer itself is applied only on commit, in one local transaction with the state change.',
    ),
    C(
      'Блокировки account храните в БД (например, таблица locks с ключом = номер счёта: второй insert того же ключа падает при commit с UniqueViolation). Занят счёт — голосуйте NO с reason LOCKED сразу.',
      'Keep account locks in the database (e.g. a locks table keyed by account id: a second insert of the same key fails at commit with UniqueViolation). Account taken — vote NO with reason LOCKED at once.',
    ),
    C(
      'После рестарта (ctx.incarnation > 1) участник находит свои PREPARED и спрашивает у координатора, который их подготовил (meta.from в prepare), решение — пока не получит ответ. Сам он не решает ни COMMIT, ни ABORT.',
      'After a restart (ctx.incarnation > 1) a participant finds its PREPARED rows and asks the coordinator that prepared them (meta.from of prepare) for the decision, until it gets an answer. It never decides COMMIT or ABORT on its own.',
    ),
    C(
      'Координатор после рестарта: перевод с записанным решением — разослать решение снова (commit/abort идемпотентны); перевод без решения — никто не получил COMMIT, значит ABORT (presumed abort). Повтор transfer с тем же txId отвечает записанным решением.',
      'The coordinator after a restart: a transfer with a stored decision — send the decision again (commit/abort are idempotent); one without — nobody was told COMMIT, so ABORT it (presumed abort). A repeated transfer with the same txId is answered from the stored decision.',
    ),
  ],
  sim: { maxEvents: 300_000, maxTime: 60_000 },
  // Its properties read the databases' change logs (locks held, states passed through): the judge needs them in every run's record.
  record: { changes: true },
};

export default exercise;

/**
 * The files of a new exercise (`npm run new-exercise -- <id>`), as text. The
 * template is a small but real exercise — an idempotent ledger that must count
 * every deposit exactly once despite duplicated messages, retries and crashes —
 * so that every gate passes out of the box *because its checks are real*: the
 * starter fails them, and each check is proven by a mutant (a patch of the
 * solution). The author replaces the ledger with the real exercise, keeping
 * that property: every check must fail the starter or a mutant.
 *
 * Paths are relative to the repository root. `api.d.ts` is not here: the
 * generator builds it like src/cli/gen-api.ts does.
 */
export interface TemplateOptions {
  id: string;
  chapter: number;
}

/** `my-new-exercise` → `myNewExercise` (the identifier of the definition in exercises/index.ts). */
export function identifierOf(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function renderExercise({ id, chapter }: TemplateOptions): Record<string, string> {
  const dir = `exercises/${id}`;
  const mod = `@mdl/${id}`;
  return {
    [`${dir}/types.ts`]: `/**
 * Exercise-specific types of "${id}": the requests and replies of the learner's
 * service. Copied into api.d.ts for the learner (npx tsx src/cli/gen-api.ts).
 * TODO(author): replace the ledger's types with your exercise's.
 */

export type DepositRequest = {
  /** Unique per deposit: the client retries with the same id. */
  requestId: string;
  amount: number;
};

export type DepositReply = { ok: true; balance: number };
export type BalanceReply = { balance: number };
`,

    [`${dir}/services.ts`]: `/**
 * Exercise-provided services of "${id}", written against the same public
 * ServiceContext API as learner code. TODO(author): your participants and clients.
 *
 * The client deposits one amount after the other, retrying each (same
 * requestId) until it is acknowledged, then asks for the balance until it gets
 * an answer. It records what it saw in its own \`results\` table for the checks.
 */
import type { ServiceDefinition } from '../../src/sim/types.ts';
import type { DepositRequest } from './types.ts';

export function clientService(deposits: DepositRequest[]): ServiceDefinition {
  return {
    name: 'client',
    start(ctx) {
      ctx.db.createTable('results');
      const record = async (row: { id: string; [k: string]: string | number | boolean | null }) => {
        for (let i = 0; i < 20; i++) {
          try {
            return await ctx.db.put('results', row);
          } catch {
            await ctx.sleep(10);
          }
        }
      };
      void (async () => {
        for (const d of deposits) {
          for (let attempt = 1; attempt <= 40; attempt++) {
            try {
              const r = (await ctx.call('ledger', 'deposit', d, { timeoutMs: 200 })) as { ok?: unknown } | null;
              if (r && r.ok === true) break;
            } catch {
              // lost, crashed or failed: the same request again
            }
            await ctx.sleep(100);
          }
        }
        for (let attempt = 1; attempt <= 40; attempt++) {
          try {
            const r = (await ctx.call('ledger', 'balance', {}, { timeoutMs: 200 })) as { balance?: unknown } | null;
            await record({ id: 'balance', balance: typeof r?.balance === 'number' ? r.balance : null, at: ctx.now() });
            return;
          } catch {
            await ctx.sleep(100);
          }
        }
        await record({ id: 'balance', balance: null, at: ctx.now() });
      })().catch(() => undefined);
    },
  };
}
`,

    [`${dir}/exercise.ts`]: `/**
 * Exercise "${id}". TODO(author): describe it (course chapter, what the learner writes).
 *
 * Every check must be real: it fails the starter or at least one mutant
 * (mutants/*.patch), and tests/grading/mutants.test.ts proves it.
 */
import type { CheckSpec, ExerciseDefinition, Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { clientService } from './services.ts';
import type { DepositRequest } from './types.ts';

const C = (ru: string, en: string): Localized => ({ ru, en });
const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });

const DEPOSITS: DepositRequest[] = [
  { requestId: 'd1', amount: 100 },
  { requestId: 'd2', amount: 250 },
  { requestId: 'd3', amount: 40 },
];

// ---------------------------------------------------------------------------
// Properties (TODO(author): yours). Each says what is wrong in both languages and when.
// ---------------------------------------------------------------------------

/** The balance the client finally read equals the sum of its deposits: each counted exactly once. */
function balanceIsSum(run: RunOutcome): Violation | null {
  const want = ((run.data as { deposits?: DepositRequest[] } | undefined)?.deposits ?? []).reduce((s, d) => s + d.amount, 0);
  const row = run.rows('client', 'results').find((r) => r.id === 'balance');
  if (!row || row.balance === null)
    return v('Клиент так и не получил ответ на balance.', 'The client never got an answer to balance.', row ? Number(row.at) : run.now);
  if (row.balance !== want)
    return v(
      \`Баланс \${String(row.balance)}, а сумма пополнений \${want}: каждое пополнение (requestId) учитывается ровно один раз, даже если запрос пришёл дважды.\`,
      \`The balance is \${String(row.balance)} but the deposits add up to \${want}: each deposit (requestId) counts exactly once, even when its request arrives twice.\`,
      Number(row.at),
    );
  return null;
}

// ---------------------------------------------------------------------------
// Scenarios: deterministic runs, each with its own seed
// ---------------------------------------------------------------------------

const scenarios: ExerciseDefinition['scenarios'] = [
  {
    id: 'happy-path',
    title: C('Три пополнения без отказов', 'Three deposits, no faults'),
    seed: 1,
    setup: () => ({ services: [clientService(DEPOSITS)], data: { deposits: DEPOSITS } }),
  },
  {
    id: 'duplicates',
    title: C('Каждое второе сообщение доставляется дважды', 'Every other message is delivered twice'),
    seed: 2,
    setup: () => ({ services: [clientService(DEPOSITS)], data: { deposits: DEPOSITS }, sim: { network: { duplicate: 0.5 } } }),
  },
];

// ---------------------------------------------------------------------------
// Checks: points per level add up to the course rubric (basic 50, advanced 75, expert 100)
// ---------------------------------------------------------------------------

const BASIC = C('Базовый уровень: TODO(author)', 'Basic: TODO(author)');
const ADV = C('Продвинутый уровень: TODO(author)', 'Advanced: TODO(author)');
const EXP = C('Экспертный уровень: полная обработка ошибок', 'Expert: complete error handling');

const checks: CheckSpec[] = [
  {
    id: 'deposits-counted',
    title: C('Пополнения складываются в баланс', 'Deposits add up to the balance'),
    points: 50,
    level: 'basic',
    criterion: BASIC,
    scenarios: ['happy-path'],
    random: false,
    verify: balanceIsSum,
  },
  {
    id: 'duplicates-once',
    title: C('Дубликат запроса не учитывается второй раз', 'A duplicated request is not counted twice'),
    points: 25,
    level: 'advanced',
    criterion: ADV,
    scenarios: ['duplicates'],
    random: false,
    verify: balanceIsSum,
  },
  {
    id: 'random-faults',
    title: C('Случайные отказы: каждое пополнение учтено ровно один раз', 'Random faults: every deposit counted exactly once'),
    points: 25,
    level: 'expert',
    criterion: EXP,
    scenarios: [],
    random: true,
    verify: balanceIsSum,
  },
];

export const exercise: ExerciseDefinition = {
  id: '${id}',
  version: 1,
  chapter: ${chapter},
  order: 1,
  title: C('TODO(author): название', 'TODO(author): title'),
  summary: C('TODO(author): одна фраза о том, что пишет учащийся.', 'TODO(author): one sentence on what the learner writes.'),
  criteria: [BASIC, ADV, EXP],
  rubric: true,
  learnerServices: [{ service: 'ledger', exportName: 'ledger' }],
  scenarios,
  random: {
    title: C('Случайные расписания отказов', 'Random fault schedules'),
    setup: (seed) => {
      const deposits = DEPOSITS.map((d) => ({ ...d, amount: d.amount + (seed % 7) }));
      return { services: [clientService(deposits)], data: { deposits }, sim: { network: { duplicate: 0.1 } } };
    },
    schedule: { services: ['ledger'], nodes: ['ledger', 'client'], horizonMs: 600, episodes: 1, maxEpisodes: 3, minDowntimeMs: 20, maxDowntimeMs: 400 },
  },
  checks,
  hints: [
    C(
      'TODO(author): подсказки. Например: запоминайте requestId каждого учтённого пополнения в той же транзакции, что и баланс.',
      'TODO(author): hints. E.g.: remember the requestId of each counted deposit in the same transaction as the balance.',
    ),
  ],
  sim: { maxEvents: 100_000, maxTime: 30_000 },
};

export default exercise;
`,

    [`${dir}/README.ru.md`]: `# TODO(author): название

*Глава ${chapter} курса.*

TODO(author): условие. Пока здесь учебный пример шаблона: сервис **ledger** принимает пополнения
и отдаёт баланс, а клиент повторяет запросы и сеть дублирует сообщения.

## Что вы пишете

\`\`\`ts
import type { ServiceContext } from '${mod}';
export function ledger(ctx: ServiceContext): void { ... }
\`\`\`

| запрос | ответ |
|---|---|
| \`deposit { requestId, amount }\` | \`{ ok: true, balance }\`; идемпотентно по \`requestId\` |
| \`balance {}\` | \`{ balance }\` |

## Как проверяется

Три пополнения без отказов; те же пополнения при дублировании сообщений; 200 случайных
расписаний отказов (падения и сбои записи). Каждое пополнение должно учитываться ровно один раз.

Уровни: **базовый** (50), **продвинутый** (75), **экспертный** (100).
`,

    [`${dir}/README.en.md`]: `# TODO(author): title

*Course chapter ${chapter}.*

TODO(author): the statement. For now this is the template's worked example: the **ledger**
service takes deposits and reports the balance, while the client retries and the network
duplicates messages.

## What you write

\`\`\`ts
import type { ServiceContext } from '${mod}';
export function ledger(ctx: ServiceContext): void { ... }
\`\`\`

| request | reply |
|---|---|
| \`deposit { requestId, amount }\` | \`{ ok: true, balance }\`; idempotent per \`requestId\` |
| \`balance {}\` | \`{ balance }\` |

## How it is graded

Three deposits without faults; the same deposits with duplicated messages; 200 random fault
schedules (crashes and failing writes). Every deposit must count exactly once.

Levels: **basic** (50), **advanced** (75), **expert** (100).
`,

    [`${dir}/starter.ts`]: `// TODO(author): the learner's starting point. It must compile, run, and fail the checks.
import type { DepositRequest, ServiceContext } from '${mod}';

export function ledger(ctx: ServiceContext): void {
  ctx.db.createTable('account');

  ctx.handle('deposit', async (req: DepositRequest) => {
    // TODO: add req.amount to the balance — exactly once per requestId, atomically.
    ctx.log.info('deposit', req.requestId, req.amount);
    return { ok: true, balance: 0 };
  });

  ctx.handle('balance', () => ({ balance: ctx.db.get('account', 'main')?.balance ?? 0 }));
}
`,

    [`solutions/${id}.ts`]: `// Reference solution of "${id}". TODO(author): yours; it must score full marks on 1,000 seeds.
import type { DepositRequest, ServiceContext } from '${mod}';

export function ledger(ctx: ServiceContext): void {
  ctx.db.createTable('account');
  ctx.db.createTable('deposits');

  const balanceOf = (row: { balance?: unknown } | undefined) => (typeof row?.balance === 'number' ? row.balance : 0);

  ctx.handle('deposit', async (req: DepositRequest) => {
    const balance = await ctx.db.transaction((tx) => {
      const current = balanceOf(tx.get('account', 'main'));
      if (tx.get('deposits', req.requestId)) return current;
      tx.insert('deposits', { id: req.requestId, amount: req.amount });
      tx.put('account', { id: 'main', balance: current + req.amount });
      return current + req.amount;
    });
    return { ok: true, balance };
  });

  ctx.handle('balance', () => ({ balance: balanceOf(ctx.db.get('account', 'main')) }));
}
`,

    [`${dir}/mutants/count-every-delivery.patch`]: `// mutant-fails: duplicates-once, random-faults
// mutant-ru: Пополнение не проверяет requestId: дубликат или повтор запроса учитывается второй раз.
// mutant-en: A deposit never checks its requestId: a duplicated or retried request is counted again.
Hunks are context-anchored: " " lines are copied from the solution, "-" removed, "+" added.

@@ no idempotency check
       const current = balanceOf(tx.get('account', 'main'));
-      if (tx.get('deposits', req.requestId)) return current;
-      tx.insert('deposits', { id: req.requestId, amount: req.amount });
+      tx.put('deposits', { id: req.requestId, amount: req.amount });
`,

    [`${dir}/mutants/balance-ignores-amount.patch`]: `// mutant-fails: deposits-counted, duplicates-once, random-faults
// mutant-ru: Баланс увеличивается на единицу, а не на сумму пополнения.
// mutant-en: The balance grows by one instead of by the deposit's amount.

@@ the amount is ignored
-      tx.put('account', { id: 'main', balance: current + req.amount });
-      return current + req.amount;
+      tx.put('account', { id: 'main', balance: current + 1 });
+      return current + 1;
`,
  };
}

/** Inserts the new exercise into exercises/index.ts (an import and an entry in EXERCISES). */
export function registerExercise(indexSource: string, id: string): string {
  const ident = identifierOf(id);
  if (indexSource.includes(`/${id}/exercise.ts'`)) throw new Error(`exercises/index.ts already imports ${id}`);
  const imports = [...indexSource.matchAll(/^import \w+ from '\.\/[a-z0-9-]+\/exercise\.ts';$/gm)];
  const last = imports[imports.length - 1];
  if (!last || last.index === undefined) throw new Error('exercises/index.ts: no `import x from \'./<id>/exercise.ts\'` line to add to');
  const at = last.index + last[0].length;
  let out = `${indexSource.slice(0, at)}\nimport ${ident} from './${id}/exercise.ts';${indexSource.slice(at)}`;
  const list = /(export const EXERCISES: readonly ExerciseDefinition\[\] = \[)([^\]]*)(\])/.exec(out);
  if (!list) throw new Error('exercises/index.ts: no `export const EXERCISES: readonly ExerciseDefinition[] = [...]` to add to');
  const items = list[2]!.trim().replace(/,\s*$/, '');
  out = out.replace(list[0], `${list[1]}${items ? `${items}, ` : ''}${ident}${list[3]}`);
  return out;
}

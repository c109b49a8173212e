/**
 * The properties the db-per-service checks judge. They read what the client
 * was told (its `results` table: every call, every attempt, with times), the
 * learner's databases only to look for data that must not be there (user
 * secrets, rows of refused orders), and the trace (ownership violations,
 * commit times). Each violation says what is wrong in both languages and when.
 */
import type { Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { RESULTS_TABLE, scriptedResults, type ScriptedResult } from '../../src/grading/scripted-client.ts';
import { LEGACY_ORDER_ITEMS, LEGACY_ORDERS, LEGACY_PRODUCTS, LEGACY_USERS } from './services.ts';

export const C = (ru: string, en: string): Localized => ({ ru, en });
export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
export const close = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) < 1e-6;
const show = (x: unknown): string => {
  try {
    const s = JSON.stringify(x) ?? String(x);
    return s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return 'unprintable';
  }
};

export function first(...xs: Array<() => Violation | null>): Violation | null {
  for (const x of xs) {
    const r = x();
    if (r) return r;
  }
  return null;
}

/** The learner's services. */
export const LEARNER = ['catalog', 'orders'] as const;

/** Budgets promised by the statement. */
export const DETAILS_BUDGET_MS = 300;
export const CREATE_BUDGET_MS = 1000;

// ---------------------------------------------------------------------------
// What the checks know about a run (ScenarioSetup.data)
// ---------------------------------------------------------------------------

/** A price change the client made: `product` costs `price` from some moment in [startedAt, at] on (when acknowledged). */
export interface PriceChange {
  label: string;
  productId: number;
  price: number;
}

/** A user's name change, made by the client's call `label`. */
export interface Rename {
  label: string;
  userId: number;
  name: string;
}

export interface Workload {
  /** Users registered by the client during the run (their emails and passwords must stay in users). */
  registered: Array<{ userId: number; name: string; email: string }>;
  priceChanges: PriceChange[];
  renames: Rename[];
  /** createOrder labels whose order is valid and must eventually be placed (random runs). */
  mustPlace: string[];
  /** createOrder labels that must be refused, with the error. */
  mustRefuse: Array<{ label: string; orderId: number; error: 'USER_NOT_FOUND' | 'PRODUCT_NOT_FOUND' | 'INVALID' }>;
  /** Labels of the final reads (after the faults): getProduct and getOrderDetails. */
  finalProducts: string[];
  finalDetails: string[];
}

export const workload = (run: RunOutcome): Workload => run.data as unknown as Workload;

const resultsCache = new WeakMap<RunOutcome, Map<string, ScriptedResult>>();

/** What the client saw, by call label (computed once per run: the final state does not change). */
export function results(run: RunOutcome): Map<string, ScriptedResult> {
  let r = resultsCache.get(run);
  if (!r) resultsCache.set(run, (r = scriptedResults(run.rows('client', RESULTS_TABLE))));
  return r;
}

// ---------------------------------------------------------------------------
// Ground truth
// ---------------------------------------------------------------------------

export interface WantLine {
  productId: number;
  quantity: number;
  price: number;
}

export interface WantOrder {
  orderId: number;
  userId: number;
  status: string;
  total: number;
  items: WantLine[];
}

export const LEGACY_WANT: Map<number, WantOrder> = new Map(
  LEGACY_ORDERS.map((o) => [
    o.id,
    {
      orderId: o.id,
      userId: o.user_id,
      status: o.status,
      total: o.total_amount,
      items: LEGACY_ORDER_ITEMS.filter((i) => i.order_id === o.id).map((i) => ({ productId: i.product_id, quantity: i.quantity, price: i.price })),
    },
  ]),
);

export const PRODUCT_NAMES: Map<number, string> = new Map(LEGACY_PRODUCTS.map((p) => [p.id, p.name]));

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/** The final reply of call `label`, or a violation saying it is missing or failed. */
export function delivered(r: Map<string, ScriptedResult>, label: string, what: Localized): ScriptedResult | Violation {
  const x = r.get(label);
  if (!x) return v(`Нет результата шага «${label}» (${what.ru}).`, `No result for step "${label}" (${what.en}).`);
  if (!x.delivered)
    return v(`Шаг «${label}» (${what.ru}) не получил ответа: ${String(x.error)}.`, `Step "${label}" (${what.en}) got no reply: ${String(x.error)}.`, x.at);
  return x;
}

export const isViolation = (x: ScriptedResult | Violation): x is Violation => !('attempts' in x);

export function expectReply(r: Map<string, ScriptedResult>, label: string, what: Localized, pred: (value: any) => boolean): Violation | null {
  const x = delivered(r, label, what);
  if (isViolation(x)) return x;
  if (!pred(x.value))
    return v(`Шаг «${label}»: ожидалось ${what.ru}, получено ${show(x.value)}.`, `Step "${label}": expected ${what.en}, got ${show(x.value)}.`, x.at);
  return null;
}

export const isRefusal = (error: string) => (x: any) => x !== null && typeof x === 'object' && x.ok === false && x.error === error;
export const isOkOrder = (total: number) => (x: any) => x !== null && typeof x === 'object' && x.ok === true && close(x.total, total);

/** Differences between an order's own data in a details reply and the truth ('' when equal). Lines compare as a multiset. */
export function orderDiff(got: unknown, want: WantOrder): string {
  if (!got || typeof got !== 'object' || (got as { ok?: unknown }).ok !== true) return `the reply is ${show(got)}`;
  const o = (got as { order?: unknown }).order as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object') return 'the reply has no "order"';
  if (o.orderId !== want.orderId) return `orderId ${show(o.orderId)} ≠ ${want.orderId}`;
  if (o.userId !== want.userId) return `userId ${show(o.userId)} ≠ ${want.userId}`;
  if (o.status !== want.status) return `status ${show(o.status)} ≠ ${want.status}`;
  if (!close(o.total, want.total)) return `total ${show(o.total)} ≠ ${want.total}`;
  if (!Array.isArray(o.items)) return '"items" is not an array';
  const key = (l: { productId: unknown; quantity: unknown; price: unknown }) => `${String(l.productId)}×${String(l.quantity)}@${typeof l.price === 'number' ? l.price.toFixed(2) : String(l.price)}`;
  const gotLines = (o.items as Array<Record<string, unknown>>).map((l) => (l && typeof l === 'object' ? key(l as never) : 'not-an-object')).sort();
  const wantLines = want.items.map(key).sort();
  if (gotLines.join(', ') !== wantLines.join(', ')) return `lines [${gotLines.join(', ')}] ≠ [${wantLines.join(', ')}] (productId×quantity@price)`;
  return '';
}

/** Names in a details reply: the user's (null allowed when `userName` is null) and each line's product name. */
export function namesDiff(got: unknown, userName: string | null, productNames: boolean | 'null'): string {
  const o = (got as { order?: Record<string, unknown> } | null)?.order;
  if (!o || typeof o !== 'object') return `the reply is ${show(got)}`;
  const u = o.user as { userId?: unknown; name?: unknown } | null | undefined;
  if (userName === null) {
    if (u !== null) return `user is ${show(u)}, expected null (users cannot be reached)`;
  } else if (!u || typeof u !== 'object' || u.name !== userName || u.userId !== o.userId) return `user is ${show(u)}, expected { userId: ${show(o.userId)}, name: "${userName}" }`;
  if (productNames === false || !Array.isArray(o.items)) return '';
  for (const l of o.items as Array<Record<string, unknown>>) {
    const want = productNames === 'null' ? null : PRODUCT_NAMES.get(l?.productId as number) ?? null;
    if (l?.name !== want) return `the line of product ${show(l?.productId)} has name ${show(l?.name)}, expected ${show(want)}`;
  }
  return '';
}

/** How long an attempt took. */
export const took = (a: { startedAt: number; at: number }) => Math.round((a.at - a.startedAt) * 1000) / 1000;

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

export function noOwnershipViolation(run: RunOutcome): Violation | null {
  const e = run.traceOf('ownership-violation').find((x) => x.service === 'catalog' || x.service === 'orders');
  if (!e) return null;
  const d = (e.data ?? {}) as { owner?: string; op?: string };
  return v(
    `Сервис «${e.service}» обратился напрямую к базе данных «${String(d.owner)}» (${String(d.op)}). Чужие данные — только через API их владельца (legacy.exportRows, users.getUser, catalog.getProduct).`,
    `Service "${e.service}" accessed the database of "${String(d.owner)}" directly (${String(d.op)}). Other services' data only through their owner's API (legacy.exportRows, users.getUser, catalog.getProduct).`,
    e.t,
  );
}

/** Walks a row's values (bounded: rows are learner data). Calls `visit(key, value)`; stops when it returns true. */
function walk(x: unknown, visit: (key: string | null, value: unknown) => boolean, key: string | null = null, depth = 0, budget = { left: 5000 }): boolean {
  if (--budget.left < 0 || depth > 12) return false;
  if (visit(key, x)) return true;
  if (x !== null && typeof x === 'object') {
    for (const [k, val] of Object.entries(x as Record<string, unknown>)) if (walk(val, visit, Array.isArray(x) ? key : k, depth + 1, budget)) return true;
  }
  return false;
}

/** Time of the first commit of `service` that wrote `table` (for the trace slice). */
function firstCommit(run: RunOutcome, service: string, table: string): number | undefined {
  return run.traceOf('tx-commit').find((e) => e.service === service && ((e.data as { tables?: unknown[] } | undefined)?.tables ?? []).includes(table))?.t;
}

/** Field names of user secrets (compared lower-case). */
const SECRET_FIELDS = new Set(['email', 'password', 'password_hash', 'passwordhash']);

/** Users' personal data (email, password hash) is stored only by users: never in catalog's or orders' tables. */
export function userDataStaysInUsers(run: RunOutcome): Violation | null {
  const w = workload(run);
  const secrets = [...LEGACY_USERS.flatMap((u) => [u.email, u.password_hash]), ...(w?.registered ?? []).map((u) => u.email)];
  for (const service of LEARNER) {
    for (const table of run.tables(service)) {
      for (const row of run.rows(service, table)) {
        let found: string | null = null;
        walk(row, (k, val) => {
          if (k !== null && SECRET_FIELDS.has(k.toLowerCase())) found = `field "${k}"`;
          else if (typeof val === 'string' && secrets.some((s) => val.includes(s))) found = `the value ${show(val)}`;
          return found !== null;
        });
        if (found !== null)
          return v(
            `В таблице «${table}» сервиса ${service} есть персональные данные пользователя (${found}). Email и хеш пароля принадлежат сервису users: храните только userId, а нужное берите через его API.`,
            `Table "${table}" of ${service} holds a user's personal data (${found}). Email and password hash belong to the users service: keep only the userId and ask its API for what you need.`,
            firstCommit(run, service, table),
          );
      }
    }
  }
  return null;
}

/** A refused order leaves nothing behind: no row of catalog or orders mentions its orderId. */
export function refusedLeaveNoRows(run: RunOutcome, orderIds: number[]): Violation | null {
  const patterns = orderIds.map((id) => ({ id, re: new RegExp(`(^|\\D)${id}(\\D|$)`) }));
  for (const service of LEARNER) {
    for (const table of run.tables(service)) {
      for (const row of run.rows(service, table)) {
        let hit: number | null = null;
        walk(row, (_k, val) => {
          for (const p of patterns) if (val === p.id || (typeof val === 'string' && p.re.test(val))) hit = p.id;
          return hit !== null;
        });
        if (hit !== null)
          return v(
            `Заказ ${hit} был отклонён, но в таблице «${table}» сервиса ${service} осталась строка о нём: ${show(row)}. Проверьте пользователя и все товары до записи и пишите заказ одной транзакцией — или не пишите ничего.`,
            `Order ${hit} was refused, yet table "${table}" of ${service} keeps a row about it: ${show(row)}. Check the user and every product before writing, and write the order in one transaction — or write nothing.`,
            firstCommit(run, service, table),
          );
      }
    }
  }
  return null;
}

/** The price a product could have had at some moment in [from, to], given the client's price changes. */
export function possiblePrices(run: RunOutcome, productId: number, from: number, to: number): number[] {
  const r = results(run);
  const base = LEGACY_PRODUCTS.find((p) => p.id === productId)?.price;
  if (base === undefined) return [];
  let known = base;
  const out = new Set<number>();
  const changes = workload(run).priceChanges.filter((c) => c.productId === productId);
  for (const c of changes) {
    const x = r.get(c.label);
    if (!x) continue;
    const acked = x.delivered && x.value?.ok === true;
    if (acked && x.at < from) known = c.price; // in effect before the window
    else if (x.startedAt <= to) out.add(c.price); // maybe in effect during the window
  }
  out.add(known);
  return [...out];
}

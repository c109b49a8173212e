/**
 * The properties the cap-replicated-stock checks judge, read only from what
 * the two shops were told (their `results` tables: every call, every attempt,
 * with times) and the workload the scenario describes. Nothing here reads the
 * learner's tables: stock is audited by reserving (acknowledged units against
 * the units there were), carts by reading both replicas through getCart.
 */
import type { Localized, RunOutcome, Violation } from '../../src/grading/types.ts';
import { RESULTS_TABLE, scriptedResults, type ScriptedAttempt, type ScriptedResult } from '../../src/grading/scripted-client.ts';
import { REPLICAS, SHOPS, type Replica, type Stock } from './services.ts';

export const C = (ru: string, en: string): Localized => ({ ru, en });
export const v = (ru: string, en: string, at?: number): Violation => (at === undefined ? { message: { ru, en } } : { message: { ru, en }, at });
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

/** Budgets promised by the statement. */
export const RESERVE_BUDGET_MS = 300;
export const CART_BUDGET_MS = 50;
export const CONVERGE_MS = 2000;

// ---------------------------------------------------------------------------
// What the checks know about a run (ScenarioSetup.data)
// ---------------------------------------------------------------------------

export interface CartRead {
  cartId: string;
  /** getCart labels on each replica, read at the same moment. */
  labels: Record<Replica, string>;
}

export interface Workload {
  stock: Stock;
  /** The data centres were cut from each other during [from, to) (scenarios with a partition). */
  partition: { from: number; to: number } | null;
  /** getCart reads that must show both replicas equal and complete. */
  finalCarts: CartRead[];
  /** Reserve labels whose final answer must be definitive (random runs: all of them). */
  definitive: boolean;
}

export const workload = (run: RunOutcome): Workload => run.data as unknown as Workload;

export type ShopResult = ScriptedResult & { shop: string; replica: Replica };

const cache = new WeakMap<RunOutcome, Map<string, ShopResult>>();

/** Both shops' results by label (labels are unique across the shops). Computed once per run. */
export function results(run: RunOutcome): Map<string, ShopResult> {
  let m = cache.get(run);
  if (!m) {
    m = new Map();
    for (const replica of REPLICAS) for (const [label, r] of scriptedResults(run.rows(SHOPS[replica], RESULTS_TABLE))) m.set(label, { ...r, shop: SHOPS[replica], replica });
    cache.set(run, m);
  }
  return m;
}

export const homeOf = (w: Workload, productId: string): Replica | null => REPLICAS.find((r) => productId in w.stock[r]) ?? null;

const isOk = (x: any) => !!x && typeof x === 'object' && x.ok === true;
const isError = (error: string) => (x: any) => !!x && typeof x === 'object' && x.ok === false && x.error === error;
export const took = (a: { startedAt: number; at: number }) => Math.round((a.at - a.startedAt) * 1000) / 1000;

export function reserves(run: RunOutcome): ShopResult[] {
  return [...results(run).values()].filter((x) => x.method === 'reserve').sort((a, b) => a.seq - b.seq || a.startedAt - b.startedAt);
}

export function adds(run: RunOutcome): ShopResult[] {
  return [...results(run).values()].filter((x) => x.method === 'addToCart');
}

const payloadOf = (x: ShopResult) => x.payload as { reservationId: string; productId: string; quantity: number };

// ---------------------------------------------------------------------------
// Stock
// ---------------------------------------------------------------------------

/** Units acknowledged per product: each reservationId counts once, from its first ok, in time order. */
export function acknowledged(run: RunOutcome): Array<{ productId: string; reservationId: string; quantity: number; at: number; replica: Replica }> {
  const seen = new Set<string>();
  const acks: Array<{ productId: string; reservationId: string; quantity: number; at: number; replica: Replica }> = [];
  for (const x of reserves(run)) {
    const p = payloadOf(x);
    const a = x.attempts.find((t) => t.delivered && isOk(t.value));
    if (!a || seen.has(p.reservationId)) continue;
    seen.add(p.reservationId);
    acks.push({ productId: p.productId, reservationId: p.reservationId, quantity: p.quantity, at: a.at, replica: x.replica });
  }
  return acks.sort((a, b) => a.at - b.at);
}

/** Never more units acknowledged than there were. */
export function noOversell(run: RunOutcome): Violation | null {
  const w = workload(run);
  const sold = new Map<string, number>();
  for (const a of acknowledged(run)) {
    const home = homeOf(w, a.productId);
    const had = home ? w.stock[home][a.productId]! : 0;
    const n = (sold.get(a.productId) ?? 0) + a.quantity;
    sold.set(a.productId, n);
    if (n > had)
      return v(
        `Продано больше, чем было: «${a.productId}» — ${had} шт., а подтверждено уже ${n} (последнее — резерв ${a.reservationId} на ${a.replica}). Остаток — строгая консистентность (CP): решает только реплика-владелец товара, а недостижимая сторона отвечает UNAVAILABLE, а не продаёт «из своей копии».`,
        `Sold more than there was: "${a.productId}" had ${had} unit(s), yet ${n} are acknowledged (the last one: reservation ${a.reservationId} on ${a.replica}). Stock needs strong consistency (CP): only the product's home replica decides, and the side that cannot reach it answers UNAVAILABLE instead of selling "from its own copy".`,
        a.at,
      );
  }
  return null;
}

/** After the faults: every reservation got a definitive answer, and the units acknowledged are exactly the units there were. */
export function exactAccounting(run: RunOutcome): Violation | null {
  const w = workload(run);
  for (const x of reserves(run)) {
    if (!x.delivered || !(isOk(x.value) || isError('OUT_OF_STOCK')(x.value)))
      return v(
        `Резерв ${payloadOf(x).reservationId} (${x.replica}) так и не получил окончательного ответа после окончания отказов (последний: ${x.delivered ? show(x.value) : String(x.error)}): когда сеть и реплики снова в строю, отвечайте ok или OUT_OF_STOCK.`,
        `Reservation ${payloadOf(x).reservationId} (${x.replica}) never got a definitive answer after the faults ended (last: ${x.delivered ? show(x.value) : String(x.error)}): once the network and the replicas are back, answer ok or OUT_OF_STOCK.`,
        x.at,
      );
  }
  const sold = new Map<string, number>();
  for (const a of acknowledged(run)) sold.set(a.productId, (sold.get(a.productId) ?? 0) + a.quantity);
  for (const home of REPLICAS) {
    for (const [productId, had] of Object.entries(w.stock[home])) {
      const n = sold.get(productId) ?? 0;
      // Units left over are fine unless a reservation that would have fit was refused.
      const oos = n < had ? reserves(run).find((x) => payloadOf(x).productId === productId && isError('OUT_OF_STOCK')(x.value) && payloadOf(x).quantity <= had - n) : undefined;
      if (oos) {
        return v(
          `Товар «${productId}»: было ${had} шт., подтверждено ${n}, но резерв ${payloadOf(oos).reservationId} получил OUT_OF_STOCK — ${had - n} шт. остались непроданными. Либо резерв отклонён, не спросив владельца товара, либо повтор резерва (тот же reservationId) списал остаток второй раз: передавайте владельцу reservationId магазина и храните сделанные резервы.`,
          `Product "${productId}": there were ${had} unit(s) and ${n} are acknowledged, yet reservation ${payloadOf(oos).reservationId} got OUT_OF_STOCK — ${had - n} unit(s) were never sold. Either a reservation was refused without asking the product's home, or a repeated reservation (same reservationId) took stock twice: pass the shop's reservationId to the home and keep the reservations made.`,
          oos.at,
        );
      }
    }
  }
  return null;
}

/** The first attempt of a call: delivered within `budget` ms with a reply `pred` accepts. */
export function firstAttemptIs(x: ShopResult | undefined, label: string, budget: number, what: Localized, pred: (value: any) => boolean, advice: Localized): Violation | null {
  const a: ScriptedAttempt | undefined = x?.attempts[0];
  if (!x || !a) return v(`Нет результата шага «${label}».`, `No result for step "${label}".`);
  if (!a.delivered || took(a) > budget)
    return v(
      `${x.replica}, шаг «${label}» (${what.ru}): ${a.delivered ? `ответ через ${took(a)} мс` : `ответа нет за ${took(a)} мс (${String(a.error)})`}, обещано не дольше ${budget} мс. ${advice.ru}`,
      `${x.replica}, step "${label}" (${what.en}): ${a.delivered ? `answered after ${took(a)} ms` : `no answer after ${took(a)} ms (${String(a.error)})`}, ${budget} ms at most is promised. ${advice.en}`,
      a.at,
    );
  if (!pred(a.value)) return v(`${x.replica}, шаг «${label}»: ожидалось ${what.ru}, получено ${show(a.value)}. ${advice.ru}`, `${x.replica}, step "${label}": expected ${what.en}, got ${show(a.value)}. ${advice.en}`, a.at);
  return null;
}

// ---------------------------------------------------------------------------
// Carts
// ---------------------------------------------------------------------------

const lineKey = (l: { lineId?: unknown; productId?: unknown; quantity?: unknown }) => `${String(l?.lineId)}:${String(l?.productId)}×${String(l?.quantity)}`;

/** Lines of a getCart reply, or a description of what is wrong with it. */
function linesOf(x: ShopResult | undefined): { keys: string[] } | { bad: string } {
  if (!x) return { bad: 'no result' };
  if (!x.delivered) return { bad: `no reply (${String(x.error)})` };
  const lines = (x.value as { ok?: unknown; lines?: unknown } | null)?.lines;
  if (!isOk(x.value) || !Array.isArray(lines)) return { bad: `the reply is ${show(x.value)}` };
  return { keys: (lines as Array<Record<string, unknown>>).map(lineKey).sort() };
}

/** Both replicas show the same lines for each final read: every acknowledged add, nothing never added, no duplicates. */
export function cartsConverge(run: RunOutcome): Violation | null {
  const r = results(run);
  const w = workload(run);
  const when = w.partition
    ? C(`через ${CONVERGE_MS} мс после восстановления сети`, `${CONVERGE_MS} ms after the network healed`)
    : w.definitive
      ? C(`через ${CONVERGE_MS} мс после окончания отказов`, `${CONVERGE_MS} ms after the faults ended`)
      : C('вскоре после добавлений (без отказов)', 'shortly after the adds (no faults)');
  const all = adds(run);
  for (const read of workload(run).finalCarts) {
    const mine = all.filter((x) => (x.payload as { cartId?: unknown }).cartId === read.cartId);
    const acked = new Set(mine.filter((x) => x.attempts.some((a) => a.delivered && isOk(a.value))).map((x) => lineKey(x.payload as never)));
    const attempted = new Set(mine.map((x) => lineKey(x.payload as never)));
    const seen: Partial<Record<Replica, string[]>> = {};
    for (const replica of REPLICAS) {
      const x = r.get(read.labels[replica]);
      const got = linesOf(x);
      const at = x?.at;
      if ('bad' in got)
        return v(`getCart(${read.cartId}) на ${replica}: ${got.bad}.`, `getCart(${read.cartId}) on ${replica}: ${got.bad}.`, at);
      const dup = got.keys.find((k, i) => got.keys.indexOf(k) !== i);
      if (dup)
        return v(
          `Корзина ${read.cartId} на ${replica} содержит строку ${dup} дважды: слияние — объединение по lineId, повтор ничего не добавляет.`,
          `Cart ${read.cartId} on ${replica} holds line ${dup} twice: merging is a union by lineId; a repeat adds nothing.`,
          at,
        );
      const lost = [...acked].filter((k) => !got.keys.includes(k));
      if (lost.length)
        return v(
          `Корзина ${read.cartId} на ${replica} ${when.ru}: нет подтверждённых добавлений [${lost.join(', ')}] (есть: [${got.keys.join(', ')}]). AP-данные сходятся: каждая реплика отправляет свои добавления соседу, пока тот не подтвердит, а соседняя объединяет строки, а не заменяет корзину целиком.`,
          `Cart ${read.cartId} on ${replica}, ${when.en}: acknowledged adds [${lost.join(', ')}] are missing (it has [${got.keys.join(', ')}]). AP data converges: each replica sends its adds to the peer until it confirms, and the peer merges lines instead of replacing the whole cart.`,
          at,
        );
      const strange = got.keys.filter((k) => !attempted.has(k));
      if (strange.length)
        return v(
          `Корзина ${read.cartId} на ${replica} содержит строки, которых никто не добавлял: [${strange.join(', ')}] (lineId:productId×quantity).`,
          `Cart ${read.cartId} on ${replica} holds lines nobody added: [${strange.join(', ')}] (lineId:productId×quantity).`,
          at,
        );
      seen[replica] = got.keys;
    }
    if (seen['stock-eu']!.join() !== seen['stock-us']!.join())
      return v(
        `Реплики не сошлись: корзина ${read.cartId} на stock-eu [${seen['stock-eu']!.join(', ')}], на stock-us [${seen['stock-us']!.join(', ')}].`,
        `The replicas did not converge: cart ${read.cartId} is [${seen['stock-eu']!.join(', ')}] on stock-eu and [${seen['stock-us']!.join(', ')}] on stock-us.`,
        r.get(read.labels['stock-us'])?.at,
      );
  }
  return null;
}

/** A getCart during the partition answered fast and shows the lines its own shop added before (read your writes). */
export function localCartRead(run: RunOutcome, label: string): Violation | null {
  const x = results(run).get(label);
  const advice = C(
    'Корзина доступна всегда (AP): чтение — из своей БД, без обращения к соседу.',
    'The cart is always available (AP): read from your own database, without asking the peer.',
  );
  const f = firstAttemptIs(x, label, CART_BUDGET_MS, C('строки корзины', 'the cart\'s lines'), isOk, advice);
  if (f) return f;
  const got = linesOf(x);
  if ('bad' in got) return v(`getCart «${label}»: ${got.bad}.`, `getCart "${label}": ${got.bad}.`, x!.at);
  const cartId = (x!.payload as { cartId?: unknown }).cartId;
  const own = adds(run).filter((a) => a.shop === x!.shop && (a.payload as { cartId?: unknown }).cartId === cartId && a.attempts.some((t) => t.delivered && isOk(t.value) && t.at < x!.startedAt));
  const missing = own.map((a) => lineKey(a.payload as never)).filter((k) => !got.keys.includes(k));
  return missing.length
    ? v(
        `${x!.replica}: getCart(${String(cartId)}) во время разделения сети не показывает добавления, которые этот же магазин только что получил с ok: [${missing.join(', ')}].`,
        `${x!.replica}: getCart(${String(cartId)}) during the partition misses adds this very shop just got ok for: [${missing.join(', ')}].`,
        x!.at,
      )
    : null;
}

/**
 * Exercise-provided services of "db-per-service-decomposition", written with
 * the same public ServiceContext API as learner code:
 *
 * - `legacy`: the shop's monolith, frozen for the cut-over. Its database holds
 *   the course's schema (users, products, orders, order_items) and it serves one
 *   read-only call, `exportRows`, for the migration.
 * - `users`: the user service, already split out. v1 keeps users in its table
 *   `users` (field `name`); v2 — deployed mid-run by the schema-change scenario —
 *   moves them to `accounts` (field `full_name`). The API is the same in both.
 *
 * The client is the generic scripted client (src/grading/scripted-client.ts).
 */
import type { Json, Row, ServiceContext, ServiceDefinition } from '../../src/sim/types.ts';
import type { LegacyOrder, LegacyOrderItem, LegacyProduct, LegacyTable, LegacyUser } from './types.ts';

// ---------------------------------------------------------------------------
// The monolith's data (the course's schema; values made up for the exercise)
// ---------------------------------------------------------------------------

export const LEGACY_USERS: LegacyUser[] = [
  { id: 1, email: 'anna.smirnova@example.com', password_hash: 'pbkdf2$600000$Zq3x$9f1c2a7e', name: 'Anna Smirnova', address: 'Moscow, Tverskaya 1' },
  { id: 2, email: 'boris.ivanov@example.com', password_hash: 'pbkdf2$600000$Lm8k$41d7b0c3', name: 'Boris Ivanov', address: 'Kazan, Baumana 12' },
  { id: 3, email: 'chen.wei@example.com', password_hash: 'pbkdf2$600000$Qe2r$c08e5f19', name: 'Chen Wei', address: 'Novosibirsk, Lenina 5' },
];

export const LEGACY_PRODUCTS: LegacyProduct[] = [
  { id: 1, name: 'Keyboard', description: 'Mechanical keyboard, 87 keys', price: 50.0, stock_quantity: 12 },
  { id: 2, name: 'Mouse', description: 'Wireless mouse', price: 30.0, stock_quantity: 40 },
  { id: 3, name: 'Monitor', description: '27-inch IPS monitor', price: 320.0, stock_quantity: 5 },
  { id: 4, name: 'USB cable', description: 'USB-C cable, 1 m', price: 7.5, stock_quantity: 100 },
  { id: 5, name: 'Headset', description: 'Headset with a noise-cancelling microphone', price: 89.9, stock_quantity: 0 },
  { id: 6, name: 'Webcam', description: 'Full HD webcam', price: 45.0, stock_quantity: 8 },
];

/** Historical orders. Order 1001 bought the keyboard at 45.00, before its price went up to 50.00. */
export const LEGACY_ORDERS: LegacyOrder[] = [
  { id: 1001, user_id: 1, total_amount: 120.0, status: 'DELIVERED', created_at: '2025-11-02T10:15:00Z' },
  { id: 1002, user_id: 2, total_amount: 335.0, status: 'SHIPPED', created_at: '2025-12-14T08:40:00Z' },
  { id: 1003, user_id: 1, total_amount: 89.9, status: 'PAID', created_at: '2026-01-20T19:05:00Z' },
  { id: 1004, user_id: 3, total_amount: 52.5, status: 'CANCELLED', created_at: '2026-02-03T12:00:00Z' },
];

export const LEGACY_ORDER_ITEMS: LegacyOrderItem[] = [
  { id: 1, order_id: 1001, product_id: 1, quantity: 2, price: 45.0 },
  { id: 2, order_id: 1001, product_id: 2, quantity: 1, price: 30.0 },
  { id: 3, order_id: 1002, product_id: 3, quantity: 1, price: 320.0 },
  { id: 4, order_id: 1002, product_id: 4, quantity: 2, price: 7.5 },
  { id: 5, order_id: 1003, product_id: 5, quantity: 1, price: 89.9 },
  { id: 6, order_id: 1004, product_id: 6, quantity: 1, price: 45.0 },
  { id: 7, order_id: 1004, product_id: 4, quantity: 1, price: 7.5 },
];

const LEGACY_TABLES: Record<LegacyTable, Row[]> = {
  users: LEGACY_USERS,
  products: LEGACY_PRODUCTS,
  orders: LEGACY_ORDERS,
  order_items: LEGACY_ORDER_ITEMS,
};

/** The monolith's database and the users service's v1 table, as a scenario's initial rows. */
export function initialRows(): Record<string, Record<string, { rows: Row[] }>> {
  return {
    legacy: Object.fromEntries(Object.entries(LEGACY_TABLES).map(([t, rows]) => [t, { rows: rows.map((r) => ({ ...r })) }])),
    users: { users: { rows: LEGACY_USERS.map((u) => ({ ...u })) } },
  };
}

const EXPORT_DEFAULT_LIMIT = 20;
const EXPORT_MAX_LIMIT = 50;

function int(p: unknown, field: string): number {
  const v = p !== null && typeof p === 'object' ? (p as Record<string, unknown>)[field] : undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`field "${field}" must be an integer, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function text(p: unknown, field: string): string {
  const v = p !== null && typeof p === 'object' ? (p as Record<string, unknown>)[field] : undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`field "${field}" must be a non-empty string`);
  return v;
}

export const legacyService: ServiceDefinition = {
  name: 'legacy',
  start(ctx) {
    ctx.handle('exportRows', (p: Record<string, unknown> | null) => {
      const table = p?.table;
      if (typeof table !== 'string' || !Object.prototype.hasOwnProperty.call(LEGACY_TABLES, table))
        throw new Error(`exportRows: "table" must be one of ${Object.keys(LEGACY_TABLES).join(', ')}`);
      const afterId = p?.afterId === undefined || p.afterId === null ? 0 : int(p, 'afterId');
      const limit = p?.limit === undefined ? EXPORT_DEFAULT_LIMIT : int(p, 'limit');
      if (limit < 1 || limit > EXPORT_MAX_LIMIT) throw new Error(`exportRows: "limit" must be 1..${EXPORT_MAX_LIMIT}`);
      const rows = ctx.db
        .scan(table)
        .filter((r) => Number(r.id) > afterId)
        .sort((a, b) => Number(a.id) - Number(b.id));
      const page = rows.slice(0, limit);
      return { rows: page, nextAfterId: rows.length > limit ? Number(page[page.length - 1]!.id) : null } as Json;
    });
  },
};

// ---------------------------------------------------------------------------
// users: v1 and v2 share the API; only the internal table differs
// ---------------------------------------------------------------------------

/** getUser of these users answers `delayMs` late (the first `times` requests): a slow lookup. */
export interface SlowLookup {
  userId: number;
  delayMs: number;
  times: number;
}

interface UserStore {
  get(userId: number): { name: string; email: string } | undefined;
  register(userId: number, name: string, email: string, passwordHash: string): Promise<void>;
  rename(userId: number, name: string): Promise<boolean>;
}

/** A stand-in for a password hash: the users service never hands it out. */
function hashOf(userId: number, password: string): string {
  let h = 2166136261;
  for (const ch of `${userId}:${password}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `pbkdf2$600000$u${userId}$${h.toString(16).padStart(8, '0')}`;
}

function serveUsers(ctx: ServiceContext, store: UserStore, slow: SlowLookup[]): void {
  const left = slow.map((s) => ({ ...s }));
  ctx.handle('getUser', async (p) => {
    const userId = int(p, 'userId');
    const rule = left.find((s) => s.userId === userId && s.times > 0);
    if (rule) {
      rule.times--;
      await ctx.sleep(rule.delayMs);
    }
    const u = store.get(userId);
    return u ? { ok: true, user: { userId, name: u.name, email: u.email } } : { ok: false, error: 'NOT_FOUND' };
  });
  ctx.handle('register', async (p) => {
    const userId = int(p, 'userId');
    if (store.get(userId)) return { ok: true };
    await store.register(userId, text(p, 'name'), text(p, 'email'), hashOf(userId, text(p, 'password')));
    return { ok: true };
  });
  ctx.handle('rename', async (p) => ((await store.rename(int(p, 'userId'), text(p, 'name'))) ? { ok: true } : { ok: false, error: 'NOT_FOUND' }));
}

export function usersV1(slow: SlowLookup[] = []): ServiceDefinition {
  return {
    name: 'users',
    start(ctx) {
      ctx.db.createTable('users');
      serveUsers(
        ctx,
        {
          get: (id) => ctx.db.get('users', id) as { name: string; email: string } | undefined,
          register: (id, name, email, password_hash) => ctx.db.put('users', { id, email, password_hash, name, address: '' }),
          rename: async (id, name) => {
            if (!ctx.db.get('users', id)) return false;
            await ctx.db.update('users', id, { name });
            return true;
          },
        },
        slow,
      );
    },
  };
}

/**
 * v2: the table is now `accounts` and the field `full_name`. Its start moves
 * v1's rows over in one transaction and serves requests only once that is
 * committed (until then a caller gets an "Unavailable" error reply: no handler).
 */
export const usersV2: ServiceDefinition = {
  name: 'users-v2',
  start(ctx) {
    ctx.db.createTable('accounts');
    const account = (id: number) => ctx.db.get('accounts', id) as { full_name: string; email: string } | undefined;
    const serve = () =>
      serveUsers(
        ctx,
        {
          get: (id) => {
            const a = account(id);
            return a ? { name: a.full_name, email: a.email } : undefined;
          },
          register: (id, full_name, email, password_hash) => ctx.db.put('accounts', { id, email, password_hash, full_name, address: '' }),
          rename: async (id, full_name) => {
            if (!account(id)) return false;
            await ctx.db.update('accounts', id, { full_name });
            return true;
          },
        },
        [],
      );
    return (async () => {
      for (;;) {
        try {
          await ctx.db.transaction((tx) => {
            for (const u of tx.scan('users')) {
              tx.put('accounts', { id: u.id, email: u.email, password_hash: u.password_hash, full_name: u.name, address: u.address });
              tx.delete('users', u.id);
            }
          });
          break;
        } catch {
          await ctx.sleep(20);
        }
      }
      serve();
    })();
  },
};

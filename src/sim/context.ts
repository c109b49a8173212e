import { TxBuffer, type DatabaseStore } from './database.ts';
import { SimError } from './errors.ts';
import type { Incarnation, Kernel } from './simulation.ts';
import { DEFAULT_CALL_TIMEOUT_MS, type Database, type Row, type RowFilter, type ServiceContext, type TableSpec, type Transaction, type WriteOptions } from './types.ts';

/**
 * Builds the capabilities of one incarnation. Everything is a closure over the
 * kernel and the incarnation, returned as frozen plain objects: service code
 * cannot reach kernel internals, patch them, or keep using them after a crash
 * (every call checks that its incarnation is alive).
 */
export function createContext(k: Kernel, inc: Incarnation): ServiceContext {
  const alive = (what: string) => {
    if (!inc.alive) k.staleCall(inc, what);
  };
  const own = inc.node.store;
  const dbHandles = new Map<string, Database>();

  const ctx: ServiceContext = {
    service: inc.node.name,
    incarnation: inc.n,
    db: databaseHandle(k, inc, own, false),
    database(owner: string): Database {
      alive('database');
      if (owner === inc.node.name) return ctx.db;
      let h = dbHandles.get(owner);
      if (!h) {
        h = databaseHandle(k, inc, k.nodeOf(owner).store, true);
        dbHandles.set(owner, h);
      }
      k.ownershipViolation(inc, owner, 'connect');
      return h;
    },
    handle(method, handler) {
      alive('handle');
      checkName(method, 'handle: method');
      if (typeof handler !== 'function') throw new SimError('BadArgument', `handle("${method}"): handler must be a function`);
      inc.rpc.set(method, handler);
    },
    call(to, method, payload = null, options) {
      alive(`call(${to}, ${method})`);
      return k.call(inc, to, method, payload, options?.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, false);
    },
    on(type, handler) {
      alive('on');
      checkName(type, 'on: message type');
      if (typeof handler !== 'function') throw new SimError('BadArgument', `on("${type}"): handler must be a function`);
      inc.msg.set(type, handler);
    },
    send(to, type, payload = null) {
      alive(`send(${to}, ${type})`);
      k.sendMessage(inc, to, type, payload);
    },
    publish(topic, payload, options) {
      alive(`publish(${topic})`);
      checkName(topic, 'publish: topic');
      const key = options?.key;
      if (key !== undefined && typeof key !== 'string') throw new SimError('BadArgument', `publish(${topic}): key must be a string`);
      return k.call(inc, 'broker', topic, { topic, key: key ?? null, payload }, options?.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, true);
    },
    subscribe(topic, handler, options) {
      alive(`subscribe(${topic})`);
      checkName(topic, 'subscribe: topic');
      if (typeof handler !== 'function') throw new SimError('BadArgument', `subscribe("${topic}"): handler must be a function`);
      const from = options?.from;
      if (from !== undefined && from !== 'beginning' && from !== 'end' && !(Number.isInteger(from) && from >= 0)) {
        throw new SimError('BadArgument', `subscribe("${topic}"): from must be 'beginning', 'end' or an offset (integer >= 0), got ${typeof from === 'number' || typeof from === 'string' ? JSON.stringify(from) : `a ${typeof from}`}`);
      }
      const group = options?.group ?? inc.node.name;
      checkName(group, `subscribe("${topic}"): group`);
      k.subscribe(inc, topic, group, handler, from);
    },
    now: () => k.now,
    sleep(ms) {
      alive('sleep');
      return k.sleep(inc, ms);
    },
    setTimer(fn, ms) {
      alive('setTimer');
      return k.setTimer(inc, fn, ms);
    },
    clearTimer(id) {
      inc.timers.delete(id);
    },
    random: () => inc.rng.next(),
    uuid: () => inc.rng.uuid(),
    log: Object.freeze({
      info: (...args: unknown[]) => logLine(k, inc, 'info', args),
      warn: (...args: unknown[]) => logLine(k, inc, 'warn', args),
      error: (...args: unknown[]) => logLine(k, inc, 'error', args),
    }),
  };
  return Object.freeze(ctx);
}

function databaseHandle(k: Kernel, inc: Incarnation, store: DatabaseStore, foreign: boolean): Database {
  const use = (op: string) => {
    if (!inc.alive) k.staleCall(inc, `db.${op}`);
    if (foreign) k.ownershipViolation(inc, store.owner, op);
  };
  const run = async <R>(fn: (tx: Transaction) => R | Promise<R>): Promise<R> => {
    use('transaction');
    if (typeof fn !== 'function') throw new SimError('BadArgument', 'db.transaction needs a function (tx) => ...');
    const buf = new TxBuffer(store);
    let open = true;
    const live = (op: string) => {
      if (!open) throw new SimError('BadArgument', `tx.${op}: this transaction has already ended`);
      if (!inc.alive) k.staleCall(inc, `tx.${op}`);
    };
    const tx: Transaction = Object.freeze({
      get: <T extends Row>(t: string, key: string | number) => (live('get'), buf.get(t, key) as T | undefined),
      scan: <T extends Row>(t: string, f?: RowFilter<T>) => (live('scan'), buf.scan(t, f as RowFilter<Row>) as T[]),
      insert: (t: string, row: Row) => (live('insert'), buf.insert(t, row)),
      put: (t: string, row: Row) => (live('put'), buf.put(t, row)),
      update: (t: string, key: string | number, patch: Row, options?: WriteOptions) => (live('update'), buf.update(t, key, patch, options)),
      delete: (t: string, key: string | number, options?: WriteOptions) => (live('delete'), buf.delete(t, key, options)),
    });
    let result: R;
    try {
      result = await fn(tx);
    } catch (e) {
      open = false;
      if (inc.alive) k.txAborted(inc, store, 'the transaction function threw');
      throw e;
    }
    open = false;
    await k.commitLater(inc, store, buf);
    return result;
  };
  const single = (apply: (tx: Transaction) => void) => run((tx) => apply(tx)).then(() => undefined);
  return Object.freeze({
    owner: store.owner,
    createTable(table: string, spec?: TableSpec) {
      use('createTable');
      store.createTable(table, spec);
    },
    get<T extends Row>(table: string, key: string | number) {
      use('get');
      return store.get(table, key) as T | undefined;
    },
    scan<T extends Row>(table: string, filter?: RowFilter<T>) {
      use('scan');
      return store.scan(table, filter as RowFilter<Row>) as T[];
    },
    transaction: run,
    insert: (table: string, row: Row) => single((tx) => tx.insert(table, row)),
    put: (table: string, row: Row) => single((tx) => tx.put(table, row)),
    update: (table: string, key: string | number, patch: Row, options?: WriteOptions) => single((tx) => tx.update(table, key, patch, options)),
    delete: (table: string, key: string | number, options?: WriteOptions) => single((tx) => tx.delete(table, key, options)),
    changes(afterLsn = 0, limit = DEFAULT_CHANGES_LIMIT) {
      use('changes');
      return store.changes(afterLsn, limit);
    },
  });
}

const DEFAULT_CHANGES_LIMIT = 100;

function checkName(s: unknown, what: string): void {
  if (typeof s !== 'string' || s === '') throw new SimError('BadArgument', `${what} must be a non-empty string`);
}

function logLine(k: Kernel, inc: Incarnation, level: 'info' | 'warn' | 'error', args: unknown[]): void {
  if (!inc.alive) return; // a dead incarnation's last words are not recorded
  k.log(inc, level, args.map(show).join(' '));
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

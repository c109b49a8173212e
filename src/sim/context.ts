import { checkKey, checkName, exposedObject, logText, markHardenedCapabilities, typeName } from './boundary.ts';
import { TxBuffer, type DatabaseStore } from './database.ts';
import { clipText, SimError } from './errors.ts';
import { clonePlain } from './json.ts';
import type { Incarnation, Kernel } from './simulation.ts';
import { DEFAULT_CALL_TIMEOUT_MS, type BrokerHandler, type Database, type MessageHandler, type RpcHandler, type Row, type RowFilter, type ServiceContext, type TableSpec, type Transaction, type WriteOptions } from './types.ts';

/**
 * Builds the capabilities of one incarnation. Everything is a closure over the
 * kernel and the incarnation, handed out as frozen bound functions on frozen
 * plain objects (boundary.ts): service code cannot reach kernel internals, patch
 * them, stash state on them, or keep using them after a crash (every call checks
 * that its incarnation is alive). Arguments are validated before anything else
 * happens — names are bounded strings, options are read once — so a hostile
 * value never reaches the trace except as plain, bounded data.
 */
export function createContext(k: Kernel, inc: Incarnation): ServiceContext {
  // Messages are built only when something is wrong: these checks run on every call.
  const stale = (what: string) => k.staleCall(inc, what);
  const own = inc.node.store;
  const dbHandles = new Map<string, Database>();

  const ctx: ServiceContext = exposedObject({
    service: inc.node.name,
    incarnation: inc.n,
    db: databaseHandle(k, inc, own, false),
    database(owner: string): Database {
      checkName(owner, 'database(owner)');
      if (!inc.alive) stale('database');
      if (owner === inc.node.name) return ctx.db;
      let h = dbHandles.get(owner);
      if (!h) {
        h = databaseHandle(k, inc, k.nodeOf(owner).store, true);
        dbHandles.set(owner, h);
      }
      k.ownershipViolation(inc, owner, 'connect');
      return h;
    },
    handle(method: string, handler: RpcHandler) {
      checkName(method, 'handle: method');
      if (!inc.alive) stale('handle');
      if (typeof handler !== 'function') throw new SimError('BadArgument', `handle("${method}"): handler must be a function`);
      inc.rpc.set(method, handler);
    },
    call(to: string, method: string, payload: unknown = null, options?: { timeoutMs?: number }) {
      checkName(to, 'call: service');
      checkName(method, 'call: method');
      if (!inc.alive) stale(`call(${to}, ${method})`);
      return k.call(inc, to, method, payload, timeoutOf(options, 'call'), false);
    },
    on(type: string, handler: MessageHandler) {
      checkName(type, 'on: message type');
      if (!inc.alive) stale('on');
      if (typeof handler !== 'function') throw new SimError('BadArgument', `on("${type}"): handler must be a function`);
      inc.msg.set(type, handler);
    },
    send(to: string, type: string, payload: unknown = null) {
      checkName(to, 'send: service');
      checkName(type, 'send: message type');
      if (!inc.alive) stale(`send(${to}, ${type})`);
      k.sendMessage(inc, to, type, payload);
    },
    publish(topic: string, payload: unknown, options?: { key?: string; timeoutMs?: number }) {
      checkName(topic, 'publish: topic');
      if (!inc.alive) stale(`publish(${topic})`);
      const key = options === undefined || options === null ? undefined : options.key;
      if (key !== undefined && (typeof key !== 'string' || key.length > 2000)) {
        throw new SimError('BadArgument', `publish(${topic}): key must be a string (at most 2000 characters), got ${typeName(key)}`);
      }
      return k.call(inc, 'broker', topic, { topic, key: key ?? null, payload }, timeoutOf(options, 'publish'), true);
    },
    subscribe(topic: string, handler: BrokerHandler, options?: { group?: string }) {
      checkName(topic, 'subscribe: topic');
      if (!inc.alive) stale(`subscribe(${topic})`);
      if (typeof handler !== 'function') throw new SimError('BadArgument', `subscribe("${topic}"): handler must be a function`);
      const from = options === undefined || options === null ? undefined : (options as { from?: unknown }).from;
      if (from !== undefined && from !== 'beginning' && from !== 'end' && !(Number.isInteger(from) && (from as number) >= 0)) {
        throw new SimError('BadArgument', `subscribe("${topic}"): from must be 'beginning', 'end' or an offset (integer >= 0), got ${typeName(from)}`);
      }
      const group = options === undefined || options === null ? undefined : options.group;
      k.subscribe(inc, topic, group === undefined ? inc.node.name : checkName(group, 'subscribe: group'), handler, from as 'beginning' | 'end' | number | undefined);
    },
    now: () => k.now,
    sleep(ms: number) {
      if (!inc.alive) stale('sleep');
      return k.sleep(inc, ms);
    },
    setTimer(fn: () => void, ms: number) {
      if (!inc.alive) stale('setTimer');
      return k.setTimer(inc, fn, ms);
    },
    clearTimer(id: number) {
      inc.timers.delete(id);
    },
    random: () => inc.rng.next(),
    uuid: () => inc.rng.uuid(),
    log: exposedObject({
      info: (...args: unknown[]) => logLine(k, inc, 'info', args),
      warn: (...args: unknown[]) => logLine(k, inc, 'warn', args),
      error: (...args: unknown[]) => logLine(k, inc, 'error', args),
    }),
  }) as unknown as ServiceContext;
  return markHardenedCapabilities(ctx);
}

/** `options.timeoutMs`, read once: a finite number > 0 (default {@link DEFAULT_CALL_TIMEOUT_MS}). */
function timeoutOf(options: { timeoutMs?: unknown } | null | undefined, what: 'call' | 'publish'): number {
  const t = options === undefined || options === null ? undefined : options.timeoutMs;
  if (t === undefined) return DEFAULT_CALL_TIMEOUT_MS;
  if (typeof t !== 'number' || !(t > 0) || t === Infinity) throw new SimError('BadArgument', `${what}: timeoutMs must be a finite number > 0, got ${typeName(t)}`);
  return t;
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
    const live = (op: string, table: unknown) => {
      checkName(table, 'tx: table');
      if (!open) throw new SimError('BadArgument', `tx.${op}: this transaction has already ended`);
      if (!inc.alive) k.staleCall(inc, `tx.${op}`);
    };
    const tx: Transaction = exposedObject({
      get: <T extends Row>(t: string, key: string | number) => (live('get', t), buf.get(t, checkKey(key, 'tx.get')) as T | undefined),
      scan: <T extends Row>(t: string, f?: RowFilter<T>) => (live('scan', t), buf.scan(t, f as RowFilter<Row>) as T[]),
      insert: (t: string, row: Row) => (live('insert', t), buf.insert(t, row)),
      put: (t: string, row: Row) => (live('put', t), buf.put(t, row)),
      update: (t: string, key: string | number, patch: Row, options?: WriteOptions) => (live('update', t), buf.update(t, checkKey(key, 'tx.update'), patch, writeOptions(options, 'tx.update'))),
      delete: (t: string, key: string | number, options?: WriteOptions) => (live('delete', t), buf.delete(t, checkKey(key, 'tx.delete'), writeOptions(options, 'tx.delete'))),
    });
    let result: R;
    try {
      result = await fn(tx); // a plain call: `this` is undefined inside fn
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
  return exposedObject({
    owner: store.owner,
    createTable(table: string, spec?: TableSpec) {
      checkName(table, 'createTable: table');
      use('createTable');
      store.createTable(table, spec);
    },
    get<T extends Row>(table: string, key: string | number) {
      checkName(table, 'db.get: table');
      const pk = checkKey(key, 'db.get');
      use('get');
      return store.get(table, pk) as T | undefined;
    },
    scan<T extends Row>(table: string, filter?: RowFilter<T>) {
      checkName(table, 'db.scan: table');
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

/** Write options from service code, read once as plain data (`expect` is compared at commit time). */
function writeOptions(options: unknown, what: string): WriteOptions | undefined {
  return options === undefined || options === null ? undefined : clonePlain(options as WriteOptions, `${what}: options`);
}

/** Longest log line kept in the trace. */
const MAX_LOG_LINE = 2000;

function logLine(k: Kernel, inc: Incarnation, level: 'info' | 'warn' | 'error', args: unknown[]): void {
  if (!inc.alive) return; // a dead incarnation's last words are not recorded
  let line = '';
  for (let i = 0; i < args.length && line.length <= MAX_LOG_LINE; i++) line += (i ? ' ' : '') + logText(args[i]);
  k.log(inc, level, clipText(line, MAX_LOG_LINE));
}

/**
 * The public API of the simulator, as seen by service code (exercise-provided
 * services and learner services alike). Everything a service can do goes
 * through its {@link ServiceContext}: there are no globals.
 *
 * Time is virtual and measured in milliseconds from the start of the run.
 */

/** Plain JSON value: the only thing that can cross the network or live in a database. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Metadata of a delivered message or request. */
export interface MessageMeta {
  /** Sender service name. */
  readonly from: string;
  /** Unique id of the message (duplicates of one message share it). */
  readonly messageId: string;
  /** Virtual time the message was sent. */
  readonly sentAt: number;
}

/**
 * Payloads, responses and rows are checked at run time (plain JSON only, with a
 * clear error at the call site), so the static types accept any value: learners'
 * own interfaces and optional fields type-check without ceremony.
 */
export type RpcHandler = (payload: any, meta: MessageMeta) => unknown;
export type MessageHandler = (payload: any, meta: MessageMeta) => unknown;

export interface BrokerMessageMeta {
  readonly topic: string;
  /** Broker-assigned id, stable across redeliveries (use it for de-duplication). */
  readonly messageId: string;
  readonly key: string | null;
  /** 1 on first delivery, 2+ on redeliveries. */
  readonly deliveryCount: number;
  readonly publishedBy: string;
  /** Position of the message in its topic: 0, 1, 2, … in publish order (stable across redeliveries). */
  readonly offset: number;
}

/** A broker handler acknowledges by returning (or resolving); throwing means "redeliver later". */
export type BrokerHandler = (payload: any, meta: BrokerMessageMeta) => unknown;

export interface CallOptions {
  /** Virtual milliseconds to wait for the response; default {@link DEFAULT_CALL_TIMEOUT_MS}. */
  timeoutMs?: number;
}

export interface PublishOptions {
  /** Partition key: with `orderedByKey` topics, messages of one key are delivered in order. */
  key?: string;
  timeoutMs?: number;
}

export interface SubscribeOptions {
  /** Consumer group; default: the service's name. Each group gets every message at least once. */
  group?: string;
  /**
   * Where a new group starts: `'beginning'` (default: every message ever
   * published to the topic), `'end'` (only messages published from now on), or
   * an offset (messages with `offset >=` it). The broker keeps each group's
   * position durably, so for a group that already exists `from` is ignored:
   * its consumers continue where the group is (unacknowledged messages are
   * redelivered). To replay a topic, subscribe under a new group name.
   */
  from?: 'beginning' | 'end' | number;
}

export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A table definition: primary key field and optional unique constraints (lists of fields). */
export interface TableSpec {
  /** Name of the primary-key field; default `"id"`. */
  key?: string;
  /** Each entry is a list of fields that must be unique together, e.g. `[["aggregateId", "version"]]`. */
  unique?: string[][];
  /**
   * Write-conflict detection for this table (default `"none"`).
   *
   * `"none"`: read committed. Two transactions may read the same row, both
   * write it, and both commit: the later commit silently overwrites the
   * earlier one (a lost update — e.g. two reservations of the last unit both
   * succeed).
   *
   * `"first-committer-wins"`: a transaction that writes a row (insert, put,
   * update or delete) fails at commit with a `WriteConflict` error — nothing
   * of it is committed — if another transaction committed a change to that
   * row after this transaction first read or wrote it. Retry the whole
   * transaction (read again, decide again). Rows only read are not protected:
   * two transactions that read rows A and B and write different rows both
   * commit (write skew).
   */
  conflicts?: 'none' | 'first-committer-wins';
}

/** Options of a conditional update or delete. */
export interface WriteOptions {
  /**
   * Field values the row must have, e.g. `{ version: 3 }` (optimistic locking:
   * "UPDATE … WHERE version = 3"). Checked at once against the row as this
   * transaction sees it, and again at commit against the committed row (unless
   * this transaction wrote the row earlier); a mismatch or a missing row
   * throws `WriteConflict` and nothing of the transaction is committed.
   */
  expect?: Partial<Row>;
}

/** One row change in a database's change log (see {@link Database.changes}). */
export interface Change {
  /** Log sequence number: 1, 2, 3, … in commit order, without gaps. */
  readonly lsn: number;
  /** Which commit of this database made the change (1, 2, …; 0 for rows present before the run). Changes of one commit share it. */
  readonly txId: number;
  readonly table: string;
  readonly op: 'insert' | 'update' | 'delete';
  /** Primary-key value of the row. */
  readonly key: string | number;
  /** The row before the change (null for an insert). */
  readonly before: Row | null;
  /** The row after the change (null for a delete). */
  readonly after: Row | null;
  /** Virtual time of the commit. */
  readonly at: number;
}

export type Row = { [key: string]: any };
/**
 * Which rows a scan returns: the rows whose fields equal these values, or those the predicate
 * accepts. (In `scan` it is `NoInfer`: the row type comes from the type argument, default
 * `Row`, not from the filter — `scan('lines', { cartId })` returns full rows, not `{ cartId }`.)
 */
export type RowFilter<T> = Partial<T> | ((row: T) => boolean);

/**
 * Reads and writes inside one transaction. Isolation is **read-committed**: reads
 * see the latest committed rows plus this transaction's own writes, and nothing
 * locks a row you read — two transactions can both read "version 3" and both try
 * to write version 4. Writes are buffered and applied together at commit. Keys
 * and unique constraints are checked when you write (against what is committed
 * so far) **and again at commit**, so a concurrent transaction that committed
 * first makes the awaited `db.transaction(...)` reject with a
 * {@link UniqueViolation} even though your `tx.insert` did not throw; then come
 * write conflicts (tables with `conflicts: "first-committer-wins"`, writes with
 * `expect`: {@link WriteConflict}).
 */
export interface Transaction {
  get<T extends Row = Row>(table: string, key: string | number): T | undefined;
  /** Rows matching `filter`, in the order {@link Database.scan} describes (this transaction's new rows last). */
  scan<T extends Row = Row>(table: string, filter?: RowFilter<NoInfer<T>>): T[];
  /** Inserts a new row; throws a {@link UniqueViolation} if the key or a unique constraint is taken. */
  insert(table: string, row: Row): void;
  /** Inserts or replaces the row with this primary key. */
  put(table: string, row: Row): void;
  /** Merges `patch` into an existing row; throws if the row does not exist. `expect`: see {@link WriteOptions}. */
  update(table: string, key: string | number, patch: Partial<Row>, options?: WriteOptions): void;
  /** Deletes the row if it exists. With `expect` the row must exist and match (see {@link WriteOptions}). */
  delete(table: string, key: string | number, options?: WriteOptions): void;
}

/**
 * A service's own durable database. It survives crashes; a transaction commits
 * atomically or not at all (also when the service crashes before the commit).
 * Rows returned by reads are copies: mutate them freely, then write them back.
 */
export interface Database {
  /** Name of the service that owns this database. */
  readonly owner: string;
  /** Creates a table if missing (idempotent; durable). */
  createTable(table: string, spec?: TableSpec): void;
  /** Committed read of one row. */
  get<T extends Row = Row>(table: string, key: string | number): T | undefined;
  /**
   * Committed read of all rows matching `filter`, in **insertion order**: the order
   * their primary keys were first inserted (a replaced or updated row keeps its
   * place; a deleted and re-inserted one moves to the end). Not sorted by key: sort
   * yourself when order matters (e.g. events by version).
   */
  scan<T extends Row = Row>(table: string, filter?: RowFilter<NoInfer<T>>): T[];
  /**
   * Runs `fn` and commits its writes atomically, once, after `fn` returns. Rejects
   * (nothing written) if `fn` throws, or the commit fails: {@link UniqueViolation}
   * (a concurrent commit took the key first), {@link WriteConflict} (a row this
   * transaction wrote changed meanwhile, see TableSpec `conflicts` and WriteOptions
   * `expect`), {@link DatabaseWriteError} (disk fault).
   * If the service crashes before the commit, nothing is written and the promise never settles.
   */
  transaction<R>(fn: (tx: Transaction) => R | Promise<R>): Promise<R>;
  /** Single-row auto-commit shortcuts. */
  insert(table: string, row: Row): Promise<void>;
  put(table: string, row: Row): Promise<void>;
  update(table: string, key: string | number, patch: Row, options?: WriteOptions): Promise<void>;
  delete(table: string, key: string | number, options?: WriteOptions): Promise<void>;
  /**
   * This database's change log: the row changes committed after log sequence
   * number `afterLsn` (default 0: from the start), oldest first, at most
   * `limit` (default 100, at most 1000). Every commit appends its changes; the
   * log is durable like the rows (it survives crashes). Poll it with the last
   * `lsn` you processed, e.g. for a transactional-outbox relay or change data
   * capture.
   */
  changes(afterLsn?: number, limit?: number): Change[];
}

/** The capabilities handed to one incarnation of a service. */
export interface ServiceContext {
  /** This service's name. */
  readonly service: string;
  /** 1 for the first start, +1 on each restart. */
  readonly incarnation: number;
  /** This service's own database. */
  readonly db: Database;
  /**
   * Another service's database. Possible, but it is the shared-database
   * anti-pattern: every use is traced as an ownership violation.
   */
  database(owner: string): Database;

  /** Serves requests for `method`. The handler's return value is the response. */
  handle(method: string, handler: RpcHandler): void;
  /**
   * Request/response over the network. Rejects with a {@link RpcTimeout} (no answer
   * in time: the request may or may not have been executed) or a {@link RemoteError}
   * (the other side answered with an error; `e.remote` says which). Tell them apart
   * with `isRpcTimeout(e)` / `isRemoteError(e)` from this module.
   */
  call<T = any>(to: string, method: string, payload?: unknown, options?: CallOptions): Promise<T>;
  /** Handles one-way messages of a type. */
  on(type: string, handler: MessageHandler): void;
  /** Fire-and-forget one-way message: may be lost, delayed, duplicated or reordered. */
  send(to: string, type: string, payload?: unknown): void;

  /** Publishes to a broker topic; resolves once the broker has stored it. */
  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /** Consumes a topic with at-least-once delivery. */
  subscribe(topic: string, handler: BrokerHandler, options?: SubscribeOptions): void;

  /** Virtual time in ms since the start of the run. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Calls `fn` after `ms` virtual ms (unless cleared); returns a timer id. */
  setTimer(fn: () => void, ms: number): number;
  clearTimer(id: number): void;
  /** Seeded random number in [0, 1). */
  random(): number;
  /** Seeded, deterministic RFC 4122-shaped id. */
  uuid(): string;
  readonly log: Logger;
}

/** How a service starts: called on boot and again on every restart with a fresh context. */
export interface ServiceDefinition {
  name: string;
  start(ctx: ServiceContext): void | Promise<void>;
}

export const DEFAULT_CALL_TIMEOUT_MS = 200;

/**
 * Errors the simulator raises into service code. `name` is the stable thing to
 * test (the guards `isRpcTimeout(e)`, `isRemoteError(e)`, `isUniqueViolation(e)`,
 * `isSimError(e, name)` of this module do it); `code` repeats it for reports.
 */
export type SimErrorName =
  | 'NotJson'
  | 'RpcTimeout'
  | 'RemoteError'
  | 'Unavailable'
  | 'UniqueViolation'
  | 'WriteConflict'
  | 'NoSuchRow'
  | 'NoSuchTable'
  | 'DatabaseWriteError'
  | 'StaleIncarnation'
  | 'PublishTimeout'
  | 'BadArgument';

export interface SimErrorLike extends Error {
  readonly name: SimErrorName;
  readonly code: string;
}

/** `ctx.call` got no answer within its timeout: the request may or may not have been executed. */
export interface RpcTimeout extends SimErrorLike {
  readonly name: 'RpcTimeout';
}

/** What the other side of a call threw (or `Unavailable`: it has no handler for the method). */
export interface RemoteErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** `ctx.call` got an error reply. `code` is `'Unavailable'` when the service has no such handler. */
export interface RemoteError extends SimErrorLike {
  readonly name: 'RemoteError';
  readonly code: 'RemoteError' | 'Unavailable';
  readonly remote: RemoteErrorInfo;
}

/** A primary key or unique constraint is already taken (at `tx.insert`, or at the commit). */
export interface UniqueViolation extends SimErrorLike {
  readonly name: 'UniqueViolation';
}

/** A first-committer-wins table or an `expect` condition refused the commit: read again, decide again. */
export interface WriteConflict extends SimErrorLike {
  readonly name: 'WriteConflict';
}

/** The commit failed (injected disk fault); nothing of the transaction was written. */
export interface DatabaseWriteError extends SimErrorLike {
  readonly name: 'DatabaseWriteError';
}

/** A crashed incarnation's late call was refused: that code should just stop. */
export interface StaleIncarnation extends SimErrorLike {
  readonly name: 'StaleIncarnation';
}

/**
 * Errors the simulator raises into service code. `name` is the stable thing to
 * test for (`err.name === 'RpcTimeout'`); `code` repeats it for JSON reports.
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

export class SimError extends Error {
  readonly code: SimErrorName;
  constructor(name: SimErrorName, message: string) {
    super(message);
    this.name = name;
    this.code = name;
  }
}

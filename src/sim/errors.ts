/**
 * Errors the simulator raises into service code. `name` is the stable thing to
 * test for (`err.name === 'RpcTimeout'`); `code` repeats it for JSON reports.
 * The names and the learner-facing error shapes are declared in types.ts.
 */
import type { SimErrorName } from './types.ts';

export type { SimErrorName };

export class SimError extends Error {
  readonly code: SimErrorName;
  constructor(name: SimErrorName, message: string) {
    super(message);
    this.name = name;
    this.code = name;
  }
}

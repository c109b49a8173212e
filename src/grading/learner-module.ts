/**
 * The module learner code imports values from: `@mdl/<exercise-id>` is the
 * kernel's learner runtime (error guards, src/sim/learner-runtime.ts) plus the
 * constants of src/sim/types.ts. Same object for every exercise; api.d.ts
 * declares it. Both the sandbox loader and the trusted test factory use it.
 */
import * as runtime from '../sim/learner-runtime.ts';
import { DEFAULT_CALL_TIMEOUT_MS } from '../sim/types.ts';
import { exerciseIds } from '../../exercises/index.ts';
import { moduleName } from './api-dts.ts';

export function learnerModule(): Readonly<Record<string, unknown>> {
  return Object.freeze({ ...runtime, DEFAULT_CALL_TIMEOUT_MS });
}

/** Module specifiers a learner's value import may name, and what each resolves to. */
export function learnerModules(): Record<string, Readonly<Record<string, unknown>>> {
  const mod = learnerModule();
  return Object.fromEntries(exerciseIds().map((id) => [moduleName(id), mod]));
}

/** The specifiers alone (what the compiler allows), without building the module. */
export function learnerModuleNames(): string[] {
  return exerciseIds().map(moduleName);
}

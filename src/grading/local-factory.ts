/**
 * A ModuleFactory for TRUSTED code only (reference solutions, mutants and
 * starters in tests and benchmarks): compiled with the sandbox's compiler but
 * evaluated with `new Function` in the current realm, without SES. Each call
 * still yields a fresh module instance, so module-level state never leaks
 * between services, incarnations or runs. Learner code goes through the sandbox
 * worker (worker-entry.ts) instead.
 */
import { compile, formatDiagnostics } from '../sandbox/compile.ts';
import type { ModuleFactory } from './types.ts';
import { learnerModules } from './learner-module.ts';

export type LoadResult = { ok: true; factory: ModuleFactory } | { ok: false; message: string };

export function trustedFactory(source: string, fileName = 'solution.ts'): LoadResult {
  const modules = learnerModules();
  const c = compile(source, fileName, { loopGuard: false, allowedModules: Object.keys(modules) });
  if (!c.ok) return { ok: false, message: formatDiagnostics(c.diagnostics, fileName) };
  const init = new Function('exports', 'module', 'require', c.js) as (e: object, m: object, r: unknown) => void;
  const require = (name: string) => {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error(`module "${name}" is not available`);
  };
  const factory: ModuleFactory = () => {
    const module: { exports: Record<string, unknown> } = { exports: {} };
    init(module.exports, module, require);
    return module.exports;
  };
  return { ok: true, factory };
}

/**
 * Compiles a learner submission for grading: src/sandbox/compile.ts `compile`
 * (pure; never runs the code) with the value imports a submission may use
 * (`@mdl/<exercise>`, learner-module.ts). Runs on the judge's side — the CLI's
 * main thread, the app's trusted compile worker, tests — never in the sandbox
 * worker, which only evaluates the result.
 */
import { compile, type CompileResult } from '../sandbox/compile.ts';
import { learnerModuleNames } from './learner-module.ts';

export function compileSubmission(source: string, fileName: string): CompileResult {
  return compile(source, fileName, { allowedModules: learnerModuleNames() });
}

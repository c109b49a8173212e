/**
 * A trusted module worker on the app's origin that compiles learner
 * TypeScript (src/grading/compile-submission.ts: a pure transpile that never
 * runs the code). Keeping typescript here keeps the sandbox worker small (it starts
 * ~3× faster, and a fresh one starts for every job) and keeps the page's main
 * thread free while typescript loads.
 *
 * Request: { id, source, fileName }  Reply: { id, result: CompileResult }
 */
import type { CompileResult } from '../sandbox/compile.ts';
import { compileSubmission } from '../grading/compile-submission.ts';

interface CompileRequest {
  id: number;
  source: string;
  fileName: string;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<CompileRequest>) => void) | null; postMessage(m: unknown): void };

scope.onmessage = (e) => {
  const { id, source, fileName } = e.data;
  let result: CompileResult;
  try {
    result = compileSubmission(String(source), String(fileName));
  } catch (err) {
    result = { ok: false, diagnostics: [{ line: 1, column: 1, message: `The compiler failed: ${err instanceof Error ? err.message : String(err)} / Компилятор упал` }] };
  }
  scope.postMessage({ id, result });
};

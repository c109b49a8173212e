/**
 * Node-only (loads the TypeScript compiler): the declarations of the learner
 * runtime (src/sim/learner-runtime.ts) for api.d.ts, via `transpileDeclaration`,
 * so a guard's signature and doc comment are copied, never retyped.
 */
import ts from 'typescript';

export function runtimeDeclarations(source: string): string {
  const out = ts.transpileDeclaration(source, { fileName: 'learner-runtime.ts', compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  if (out.diagnostics?.length) throw new Error(`learner-runtime.ts: ${out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
  return out.outputText
    .split('\n')
    .filter((l) => !/^(import|export \{)/.test(l))
    // Inside `declare module '…' { }` declarations are already ambient.
    .map((l) => l.replace(/^export declare /, 'export '))
    .join('\n')
    .trim();
}

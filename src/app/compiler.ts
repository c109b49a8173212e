/**
 * The page's handle on the compile worker (compile-worker.ts): started on first
 * use and kept (it never runs learner code, so reusing it is safe).
 */
import type { CompileResult } from '../sandbox/compile.ts';

export type Compile = (source: string, fileName: string) => Promise<CompileResult>;

export function createCompiler(): Compile {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: CompileResult) => void; reject: (e: Error) => void }>();
  const start = (): Worker => {
    const w = new Worker(new URL('./compile-worker.ts', import.meta.url), { type: 'module', name: 'compiler' });
    w.onmessage = (e: MessageEvent<{ id: number; result: CompileResult }>) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      p?.resolve(e.data.result);
    };
    w.onerror = (e) => {
      e.preventDefault();
      for (const p of pending.values()) p.reject(new Error(`the compiler worker failed: ${e.message}`));
      pending.clear();
      worker = undefined;
      w.terminate();
    };
    return w;
  };
  return (source, fileName) =>
    new Promise<CompileResult>((resolve, reject) => {
      worker ??= start();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, source, fileName });
    });
}

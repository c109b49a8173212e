/**
 * Monaco, bundled with the app (no CDN). Loaded only by the lazy editor chunk.
 * Uses monaco-editor 0.57's entry points: the slim core, the editor features,
 * TypeScript language definitions + language service, and module workers.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import { typescriptDefaults, ScriptTarget, ModuleKind, ModuleResolutionKind } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import { loader } from '@monaco-editor/react';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ES2020,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  lib: ['es2020'],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
  isolatedModules: true,
});
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
typescriptDefaults.setEagerModelSync(true);

loader.config({ monaco });

const registered = new Map<string, { content: string; dispose(): void }>();

/** Registers an exercise's declaration files (idempotent; replaces changed contents). */
export function registerExtraLibs(libs: { fileName: string; content: string }[]): void {
  for (const lib of libs) {
    const uri = lib.fileName.startsWith('file:///') ? lib.fileName : `file:///${lib.fileName.replace(/^\/+/, '')}`;
    const existing = registered.get(uri);
    if (existing && existing.content === lib.content) continue;
    existing?.dispose();
    const handle = typescriptDefaults.addExtraLib(lib.content, uri);
    registered.set(uri, { content: lib.content, dispose: () => handle.dispose() });
  }
}

export { monaco };

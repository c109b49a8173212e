/** One shared import of the lazy editor chunk, so routes can start fetching it before the workspace renders. */
let editorModule: Promise<typeof import('./CodeEditor.tsx')> | null = null;

export function loadEditor(): Promise<typeof import('./CodeEditor.tsx')> {
  editorModule ??= import('./CodeEditor.tsx');
  return editorModule;
}

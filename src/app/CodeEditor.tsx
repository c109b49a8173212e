import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { monaco, registerExtraLibs } from './monaco-setup.ts';
import { useI18n } from './i18n.tsx';

export interface CodeEditorProps {
  exerciseId: string;
  value: string;
  extraLibs: { fileName: string; content: string }[];
  onChange(value: string): void;
  onRun(): void;
  onGrade(): void;
  /** Lets the workspace replace the text (reset/restore) keeping the editor's undo stack. */
  editorRef?: { current: { setValue(code: string): void; focus(): void } | null };
  /** Called once the editor is mounted and editable. */
  onReady?(): void;
}

export default function CodeEditor(props: CodeEditorProps) {
  const { t } = useI18n();
  const handlers = useRef(props);
  handlers.current = props;
  const dark = useColorScheme();

  registerExtraLibs(props.extraLibs);

  const onMount: OnMount = (editor) => {
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => handlers.current.onRun());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => handlers.current.onGrade());
    if (props.editorRef) {
      props.editorRef.current = {
        setValue(code: string) {
          const model = editor.getModel();
          if (!model) return;
          editor.pushUndoStop();
          editor.executeEdits('mdl', [{ range: model.getFullModelRange(), text: code }]);
          editor.pushUndoStop();
        },
        focus: () => editor.focus(),
      };
    }
    document.documentElement.dataset.editorReady = 'true';
    handlers.current.onReady?.();
  };

  useEffect(
    () => () => {
      if (props.editorRef) props.editorRef.current = null;
      delete document.documentElement.dataset.editorReady;
    },
    [props.editorRef],
  );

  return (
    <Editor
      height="100%"
      language="typescript"
      path={`file:///exercises/${props.exerciseId}/solution.ts`}
      defaultValue={props.value}
      theme={dark ? 'vs-dark' : 'vs'}
      onChange={(value) => handlers.current.onChange(value ?? '')}
      onMount={onMount}
      loading={<div className="editor-loading">{t.editorLoading}</div>}
      options={{
        minimap: { enabled: false },
        fontSize: 14,
        tabSize: 2,
        scrollBeyondLastLine: false,
        automaticLayout: true,
        ariaLabel: t.editorLabel,
        fixedOverflowWidgets: true,
        wordWrap: 'off',
        renderLineHighlight: 'line',
      }}
    />
  );
}

function subscribeScheme(onChange: () => void): () => void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

function useColorScheme(): boolean {
  return useSyncExternalStore(subscribeScheme, () => window.matchMedia('(prefers-color-scheme: dark)').matches, () => false);
}

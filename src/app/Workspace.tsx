import { useMachine } from '@xstate/react';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GradeRecord, VersionRecord } from '../persistence/store.ts';
import { LANGS, pick, useI18n, type Lang } from './i18n.tsx';
import { Markdown } from './Markdown.tsx';
import { loadStatementLang, saveStatementLang } from './prefs.ts';
import { exerciseHref, mapHref, replayHref } from './router.ts';
import { useServices } from './services.tsx';
import { RANDOM_SCENARIO, type ExerciseInfo, type GradingClient } from './types.ts';
import { useAutosave } from './useAutosave.ts';
import { loadEditor } from './editor-loader.ts';
import { workspaceMachine } from './workspace-machine.ts';
import { FailureView, GradeView, RunView } from './Results.tsx';

const CodeEditor = lazy(loadEditor);

export interface WorkspaceProps {
  exercise: ExerciseInfo;
  client: GradingClient;
  replay?: { checkId: string; seed?: number; scenario?: string };
}

export function Workspace(props: WorkspaceProps) {
  const { exercise } = props;
  const { t, lang } = useI18n();
  const { store, reportStorageError } = useServices();
  const [initialCode, setInitialCode] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${pick(exercise.title, lang)} · ${t.appTitle}`;
  }, [exercise, lang, t]);

  useEffect(() => {
    let live = true;
    setInitialCode(null);
    store.loadDraft(exercise.id).then(
      (draft) => live && setInitialCode(draft?.code ?? exercise.starter),
      (error: unknown) => {
        if (!live) return;
        reportStorageError(error);
        setInitialCode(exercise.starter);
      },
    );
    return () => {
      live = false;
    };
  }, [exercise, store, reportStorageError]);

  if (initialCode === null) return <div className="workspace-loading muted">{t.editorLoading}</div>;
  return <WorkspaceLoaded key={exercise.id} {...props} initialCode={initialCode} />;
}

function WorkspaceLoaded(props: WorkspaceProps & { initialCode: string }) {
  const { exercise, client, replay } = props;
  const { t, lang } = useI18n();
  const { store, reportStorageError } = useServices();
  const [statementLang, setStatementLangState] = useState<Lang>(() => loadStatementLang(lang));
  const setStatementLang = (l: Lang) => {
    setStatementLangState(l);
    saveStatementLang(l);
  };
  // The UI language toggle also switches the statement.
  const firstLang = useRef(true);
  useEffect(() => {
    if (firstLang.current) {
      firstLang.current = false;
      return;
    }
    setStatementLangState(lang);
    saveStatementLang(lang);
  }, [lang]);

  const codeRef = useRef(props.initialCode);
  const editorRef = useRef<{ setValue(code: string): void; focus(): void } | null>(null);
  const autosave = useAutosave(store, exercise.id, reportStorageError);

  const [editorReady, setEditorReady] = useState(false);
  useEffect(() => {
    // Start the sandbox worker once the editor is up (both are CPU-heavy to start).
    if (!editorReady) return;
    const id = window.setTimeout(() => client.warmUp?.(), 200);
    return () => window.clearTimeout(id);
  }, [client, editorReady]);

  const [snapshot, send] = useMachine(workspaceMachine, { input: { client, exerciseId: exercise.id } });
  const busy = snapshot.matches('running') || snapshot.matches('grading');

  const [scenario, setScenario] = useState(() => replayScenario(exercise, replay) ?? exercise.scenarios[0]?.id ?? RANDOM_SCENARIO);
  const [seed, setSeed] = useState(() => replay?.seed ?? 1);

  const [versions, setVersions] = useState<VersionRecord[]>([]);
  const [grades, setGrades] = useState<GradeRecord[]>([]);
  const refreshHistory = useCallback(() => {
    Promise.all([store.listVersions(exercise.id), store.listGrades(exercise.id)]).then(([v, g]) => {
      setVersions(v);
      setGrades(g);
    }, reportStorageError);
  }, [store, exercise.id, reportStorageError]);
  useEffect(refreshHistory, [refreshHistory, autosave.savedAt]);

  const run = useCallback(
    () => send({ type: 'RUN', code: codeRef.current, scenario, seed: scenario === RANDOM_SCENARIO ? seed : undefined }),
    [send, scenario, seed],
  );
  const grade = useCallback(() => send({ type: 'GRADE', code: codeRef.current }), [send]);

  // Deep link to a replay: run that check with that seed once the workspace is ready.
  const replayKey = replay ? `${replay.checkId}/${replay.seed}/${replay.scenario}` : '';
  useEffect(() => {
    if (!replay) return;
    const sc = replayScenario(exercise, replay) ?? RANDOM_SCENARIO;
    setScenario(sc);
    if (replay.seed !== undefined) setSeed(replay.seed);
    send({ type: 'RUN', code: codeRef.current, scenario: sc, seed: sc === RANDOM_SCENARIO ? replay.seed : undefined });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [replayKey]);

  // Persist each finished grade once.
  const persisted = useRef(0);
  useEffect(() => {
    const result = snapshot.context.result;
    if (snapshot.context.generation === persisted.current || !result || result.kind !== 'grade' || !result.grade.ok) return;
    persisted.current = snapshot.context.generation;
    const report = result.grade.report;
    store
      .recordGrade({
        exerciseId: exercise.id,
        at: result.at,
        score: report.score,
        maxScore: report.maxScore,
        code: result.code,
        level: report.level ?? undefined,
        checks: report.checks.map((c) => ({
          checkId: c.id,
          passed: c.passed,
          points: c.earned,
          maxPoints: c.points,
          failingSeed: c.failingSeed ?? undefined,
        })),
      })
      .then(refreshHistory, reportStorageError);
  }, [snapshot.context.generation, snapshot.context.result, store, exercise.id, refreshHistory, reportStorageError]);

  // Shortcuts also work outside the editor.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
      if ((e.target as HTMLElement | null)?.closest?.('.monaco-editor')) return; // the editor has its own bindings
      e.preventDefault();
      if (e.shiftKey) grade();
      else run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, grade]);

  const onChange = useCallback(
    (code: string) => {
      codeRef.current = code;
      autosave.schedule(code);
    },
    [autosave],
  );

  const replaceCode = async (code: string, kind: 'reset' | 'restore') => {
    try {
      await autosave.flush();
      await store.addVersion(exercise.id, codeRef.current, kind);
    } catch (error) {
      reportStorageError(error);
    }
    if (editorRef.current) editorRef.current.setValue(code);
    else onChange(code);
    await autosave.flush();
    refreshHistory();
  };

  const onReset = () => {
    if (window.confirm(t.resetConfirm)) void replaceCode(exercise.starter, 'reset');
  };
  const onRestore = (code: string) => {
    if (window.confirm(t.restoreConfirm)) void replaceCode(code, 'restore');
  };

  const progress = snapshot.context.progress;
  let status: string;
  if (snapshot.matches('running')) status = t.running;
  else if (snapshot.matches('grading')) status = progress ? t.gradingProgress(progress.done, progress.total) : t.grading;
  else if (snapshot.matches('stopped')) status = t.stopped;
  else if (snapshot.matches('error')) status = t.engineError(snapshot.context.error ?? '');
  else if (snapshot.matches('done')) {
    const r = snapshot.context.result!;
    const failure = r.kind === 'grade' ? (r.grade.ok ? null : r.grade.failure) : r.run.ok ? null : r.run.failure;
    if (failure) status = failure.kind === 'compile' ? t.compileErrors : failure.kind === 'timeout' ? t.timeoutMessage : t.runFailed;
    else if (r.kind === 'grade' && r.grade.ok) status = `${t.score}: ${t.scoreLine(r.grade.report.score, r.grade.report.maxScore)}`;
    else if (r.kind === 'run' && r.run.ok) {
      const checks = r.run.report.checks;
      status = t.runFinished(checks.length === 0 ? '—' : checks.every((c) => c.passed) ? '✓' : '✗');
    }
    else status = '';
  } else status = t.idleHint;

  const checkTitle = useMemo(() => {
    const map = new Map(exercise.checks.map((c) => [c.id, pick(c.title, lang)]));
    return (id: string) => map.get(id) ?? id;
  }, [exercise.checks, lang]);
  const scenarioTitle = (id: string) => pick(exercise.scenarios.find((x) => x.id === id)?.title, lang) || id;
  const result = snapshot.matches('done') ? snapshot.context.result : null;
  const replayTitle =
    replay && result?.kind === 'run'
      ? replay.scenario
        ? t.replayScenario(checkTitle(replay.checkId), scenarioTitle(replay.scenario))
        : t.replayOf(checkTitle(replay.checkId), replay.seed ?? 0)
      : undefined;

  return (
    <div className="workspace" data-testid="workspace" data-state={String(snapshot.value)}>
      <section className="pane statement-pane" aria-labelledby="exercise-title">
        <nav className="crumbs" aria-label={t.courseMap}>
          <a href={mapHref()}>← {t.backToMap}</a>
        </nav>
        <div className="statement-head">
          <h1 id="exercise-title">{pick(exercise.title, lang)}</h1>
          <div className="segmented" role="group" aria-label={t.statementLanguage}>
            {LANGS.map((l) => (
              <button
                key={l}
                type="button"
                aria-pressed={statementLang === l}
                onClick={() => setStatementLang(l)}
                data-testid={`statement-lang-${l}`}
              >
                {l.toUpperCase()}
              </button>
            ))}
          </div>
        </div>
        <Markdown source={withoutTitle(pick(exercise.statement, statementLang))} lang={statementLang} className="markdown statement" />
        {exercise.hints.length > 0 && (
          <section className="hints" aria-label={t.hints}>
            <h2>{t.hints}</h2>
            {exercise.hints.map((hint, i) => (
              <details key={i}>
                <summary>{t.showHint(i + 1)}</summary>
                <Markdown source={pick(hint, statementLang)} lang={statementLang} />
              </details>
            ))}
          </section>
        )}
        <History versions={versions} grades={grades} onRestore={onRestore} />
      </section>

      <section className="pane work-pane" aria-label={t.editorLabel}>
        <div className="toolbar" role="toolbar" aria-label={t.editorLabel}>
          <label className="field scenario-field">
            <span>{t.scenario}</span>
            <select value={scenario} onChange={(e) => setScenario(e.target.value)} data-testid="scenario">
              {exercise.scenarios.map((sc) => (
                <option key={sc.id} value={sc.id}>
                  {pick(sc.title, lang)}
                </option>
              ))}
              <option value={RANDOM_SCENARIO}>{t.randomScenario}</option>
            </select>
          </label>
          <label className="field seed-field" title={scenario === RANDOM_SCENARIO ? undefined : t.seedDisabledHint}>
            <span>{t.seed}</span>
            <input
              type="number"
              min={0}
              step={1}
              disabled={scenario !== RANDOM_SCENARIO}
              value={seed}
              onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
              data-testid="seed"
            />
          </label>
          <button type="button" onClick={() => run()} disabled={busy} title={t.runTitle} data-testid="run">
            ▶ {t.run}
          </button>
          <button type="button" className="primary" onClick={grade} disabled={busy} title={t.gradeTitle} data-testid="grade">
            ✓ {t.grade}
          </button>
          <button type="button" onClick={() => send({ type: 'STOP' })} disabled={!busy} data-testid="stop">
            ■ {t.stop}
          </button>
        </div>
        <div className="editor-frame">
          <Suspense fallback={<div className="editor-loading">{t.editorLoading}</div>}>
            <CodeEditor
              exerciseId={exercise.id}
              value={props.initialCode}
              extraLibs={exercise.extraLibs}
              onChange={onChange}
              onRun={() => run()}
              onGrade={grade}
              editorRef={editorRef}
              onReady={() => setEditorReady(true)}
            />
          </Suspense>
        </div>
        <div className="statusbar">
          <p className={`status-line state-${String(snapshot.value)}`} role="status" aria-live="polite" data-testid="status">
            {status}
          </p>
          <span className="statusbar-right">
            <SaveStatus savedAt={autosave.savedAt} pending={autosave.pending} />
            <button type="button" className="quiet small" onClick={onReset} disabled={busy} data-testid="reset">
              ↺ {t.resetToStarter}
            </button>
          </span>
        </div>
        <div className="results" aria-label={t.results}>
          {snapshot.matches('idle') && <p className="muted hint">{t.editorTabHint}</p>}
          {snapshot.matches('grading') && progress && (
            <progress max={progress.total} value={progress.done} aria-label={t.grading} />
          )}
          {snapshot.matches('error') && (
            <p className="banner banner-error" role="alert" data-testid="engine-error">
              {t.engineError(snapshot.context.error ?? '')}
            </p>
          )}
          {result?.kind === 'run' && !result.run.ok && <FailureView failure={result.run.failure} />}
          {result?.kind === 'grade' && !result.grade.ok && <FailureView failure={result.grade.failure} />}
          {result?.kind === 'run' && result.run.ok && (
            <RunView report={result.run.report} title={replayTitle} closeHref={replay ? exerciseHref(exercise.id) : undefined} />
          )}
          {result?.kind === 'grade' && result.grade.ok && (
            <GradeView report={result.grade.report} replayHref={(c, target) => replayHref(exercise.id, c, target)} />
          )}
        </div>
      </section>
    </div>
  );
}

function SaveStatus(props: { savedAt: number | null; pending: boolean }) {
  const { t, lang } = useI18n();
  const text = props.pending
    ? t.saving
    : props.savedAt
      ? t.savedAt(new Date(props.savedAt).toLocaleTimeString(lang === 'ru' ? 'ru-RU' : 'en-GB'))
      : t.notSavedYet;
  return (
    <span className="save-status muted" data-testid="save-status">
      {text}
    </span>
  );
}

function History(props: { versions: VersionRecord[]; grades: GradeRecord[]; onRestore(code: string): void }) {
  const { t, lang } = useI18n();
  const fmt = (at: number) =>
    new Date(at).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });
  return (
    <section className="history" aria-labelledby="history-title">
      <details>
        <summary>
          <h2 id="history-title">
            {t.history} ({props.versions.length})
          </h2>
        </summary>
        {props.grades.length > 0 && (
          <>
            <h3>{t.grades}</h3>
            <ul className="history-list" data-testid="grade-history">
              {props.grades.map((g) => (
                <li key={g.id}>
                  <span>
                    {fmt(g.at)} — {t.scoreLine(g.score, g.maxScore)}
                  </span>
                  <button type="button" className="quiet small" onClick={() => props.onRestore(g.code)}>
                    {t.restore}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {props.versions.length === 0 ? (
          <p className="muted">{t.historyEmpty}</p>
        ) : (
          <ul className="history-list" data-testid="version-history">
            {props.versions.map((v) => (
              <li key={v.id}>
                <span>
                  {fmt(v.savedAt)} — {t.versionKind[v.kind] ?? v.kind} · {t.linesCount(v.code.split('\n').length)}
                </span>
                <button type="button" className="quiet small" onClick={() => props.onRestore(v.code)}>
                  {t.restore}
                </button>
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}

/** The scenario a replay link asks for: a deterministic scenario, or a random fault run. */
function replayScenario(exercise: ExerciseInfo, replay: WorkspaceProps['replay']): string | undefined {
  if (!replay) return undefined;
  if (replay.scenario && exercise.scenarios.some((s) => s.id === replay.scenario)) return replay.scenario;
  return RANDOM_SCENARIO;
}

/** The workspace shows the exercise title itself; drop the statement's own leading `# Title`. */
function withoutTitle(markdown: string): string {
  return markdown.replace(/^\s*# [^\n]*\n/, '');
}

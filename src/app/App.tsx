import { useCallback, useEffect, useState } from 'react';
import { CourseMap } from './CourseMap.tsx';
import { LangProvider, MESSAGES, useI18n, type Lang } from './i18n.tsx';
import { loadUiLang, saveUiLang } from './prefs.ts';
import { mapHref, useRoute, type Route } from './router.ts';
import { useServices } from './services.tsx';
import { useAsync } from './useAsync.ts';
import { Workspace } from './Workspace.tsx';

export function App() {
  const [lang, setLangState] = useState<Lang>(loadUiLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    saveUiLang(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <LangProvider lang={lang} setLang={setLang}>
      <Shell />
    </LangProvider>
  );
}

function Shell() {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const other: Lang = lang === 'ru' ? 'en' : 'ru';
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t.skipToContent}
      </a>
      <header className="app-header">
        <a className="brand" href={mapHref()}>
          <span className="brand-mark" aria-hidden="true">◇</span> {t.appTitle}
        </a>
        <nav aria-label={t.courseMap}>
          <a href={mapHref()} aria-current={route.name === 'map' ? 'page' : undefined}>
            {t.courseMap}
          </a>
        </nav>
        <span className="header-spacer" />
        <button
          type="button"
          className="lang-toggle"
          onClick={() => setLang(other)}
          aria-label={t.switchLanguageLabel}
          lang={other}
          data-testid="lang-toggle"
        >
          {MESSAGES[lang].switchLanguage}
        </button>
      </header>
      <StorageBanner />
      <main id="main" tabIndex={-1}>
        <RouteView route={route} />
      </main>
    </>
  );
}

function StorageBanner() {
  const { t } = useI18n();
  const { storageError, clearStorageError } = useServices();
  if (!storageError) return null;
  const reason =
    storageError.problem === 'quota' ? t.storageQuota : storageError.problem === 'unavailable' ? t.storageUnavailable : storageError.message;
  return (
    <div className="banner banner-error storage-banner" role="alert" data-testid="storage-error">
      <span>{t.storageError(reason)}</span>
      <button type="button" className="quiet small" onClick={clearStorageError}>
        {t.dismiss}
      </button>
    </div>
  );
}

function RouteView(props: { route: Route }) {
  const { route } = props;
  if (route.name === 'map') return <CourseMap />;
  if (route.name === 'not-found') return <NotFound id={route.path} />;
  return (
    <ExerciseRoute
      exerciseId={route.exerciseId}
      replay={route.name === 'replay' ? { checkId: route.checkId, seed: route.seed, scenario: route.scenario } : undefined}
    />
  );
}

function ExerciseRoute(props: { exerciseId: string; replay?: { checkId: string; seed?: number; scenario?: string } }) {
  const { t } = useI18n();
  const { engine } = useServices();
  const state = useAsync(() => engine, [engine]);
  if (state.status === 'pending') return <p className="page-message muted">{t.loadingCatalog}</p>;
  if (state.status === 'error')
    return (
      <p className="page-message banner banner-error" role="alert">
        {t.catalogError} {String(state.error instanceof Error ? state.error.message : state.error)}
      </p>
    );
  const exercise = state.value.exercises.find((e) => e.id === props.exerciseId);
  if (!exercise) return <NotFound id={props.exerciseId} />;
  return <Workspace key={exercise.id} exercise={exercise} client={state.value.client} replay={props.replay} />;
}

function NotFound(props: { id: string }) {
  const { t } = useI18n();
  return (
    <div className="page-message">
      <p role="alert">{t.exerciseNotFound(props.id)}</p>
      <p>
        <a href={mapHref()}>{t.backToMap}</a>
      </p>
    </div>
  );
}

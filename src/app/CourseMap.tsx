import { useEffect, useState } from 'react';
import type { ExerciseProgress } from '../persistence/store.ts';
import { CHAPTERS } from './course.ts';
import { pick, useI18n } from './i18n.tsx';
import { exerciseHref } from './router.ts';
import { useServices } from './services.tsx';
import type { ExerciseInfo } from './types.ts';
import { useAsync } from './useAsync.ts';
import { loadEditor } from './editor-loader.ts';

/** Start fetching the editor when the learner is about to open an exercise. */
const preload = () => void loadEditor();

export function CourseMap() {
  const { t, lang } = useI18n();
  const { engine, store, reportStorageError } = useServices();
  const catalog = useAsync(() => engine.then((e) => e.exercises), [engine]);
  const [progress, setProgress] = useState<Map<string, ExerciseProgress> | null>(null);

  useEffect(() => {
    let live = true;
    store.progress().then(
      (p) => live && setProgress(p),
      (error: unknown) => {
        if (!live) return;
        setProgress(new Map());
        reportStorageError(error);
      },
    );
    return () => {
      live = false;
    };
  }, [store, reportStorageError]);

  useEffect(() => {
    document.title = `${t.courseMap} · ${t.appTitle}`;
  }, [t]);

  const exercises = catalog.status === 'ok' ? catalog.value : [];
  const totalMax = exercises.reduce((sum, e) => sum + e.maxScore, 0);
  let totalGot = 0;
  let solved = 0;
  for (const e of exercises) {
    const best = progress?.get(e.id)?.best;
    if (best) {
      totalGot += Math.min(best.score, e.maxScore);
      if (best.score >= best.maxScore) solved++;
    }
  }
  const percent = totalMax > 0 ? Math.round((totalGot / totalMax) * 100) : 0;

  return (
    <div className="map" data-testid="course-map">
      <section className="map-intro" aria-labelledby="block-title">
        <h1 id="block-title">{t.blockTitle}</h1>
        <p className="muted">{t.appTagline}</p>
        <div className="overall" data-testid="overall-progress">
          <div className="overall-text">
            <span className="overall-label">{t.overallProgress}</span>
            <span>
              {t.pointsOf(totalGot, totalMax)} · {t.exercisesDone(solved, exercises.length)}
            </span>
          </div>
          <progress max={100} value={percent} aria-label={t.overallProgress}>
            {percent}%
          </progress>
        </div>
      </section>

      {catalog.status === 'pending' && <p className="muted">{t.loadingCatalog}</p>}
      {catalog.status === 'error' && (
        <p role="alert" className="banner banner-error">
          {t.catalogError} {String(catalog.error instanceof Error ? catalog.error.message : catalog.error)}
        </p>
      )}

      <ol className="chapters">
        {CHAPTERS.map((chapter) => {
          const items = exercises.filter((e) => e.chapter === chapter.number);
          return (
            <li key={chapter.number} className="chapter" aria-labelledby={`chapter-${chapter.number}`}>
              <div className="chapter-head">
                <span className="chapter-number" aria-hidden="true">
                  {chapter.final ? '★' : chapter.number}
                </span>
                <div>
                  <h2 id={`chapter-${chapter.number}`}>
                    <span className="visually-hidden">{chapter.final ? t.finalProject : t.chapter(chapter.number)}: </span>
                    {pick(chapter.title, lang)}
                  </h2>
                  <p className="muted">{pick(chapter.summary, lang)}</p>
                </div>
              </div>
              {catalog.status === 'ok' && items.length === 0 ? (
                <p className="muted empty">{t.noExercisesYet}</p>
              ) : items.length === 0 ? null : (
                <ul className="exercises">
                  {items.map((exercise) => (
                    <ExerciseCard key={exercise.id} exercise={exercise} progress={progress?.get(exercise.id)} />
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function ExerciseCard(props: { exercise: ExerciseInfo; progress: ExerciseProgress | undefined }) {
  const { t, lang } = useI18n();
  const { exercise, progress } = props;
  const best = progress?.best;
  let status: string;
  let tone: 'none' | 'progress' | 'partial' | 'full';
  if (best) {
    status = t.statusScore(best.score, best.maxScore);
    tone = best.score >= best.maxScore ? 'full' : 'partial';
  } else if (progress?.started) {
    status = t.statusInProgress;
    tone = 'progress';
  } else {
    status = t.statusNotStarted;
    tone = 'none';
  }
  const rawLevel = best?.level ? pick(best.level, lang) : '';
  const level = rawLevel ? (t.levels[rawLevel] ?? rawLevel) : '';
  return (
    <li className="exercise-card" data-exercise-id={exercise.id} data-status={tone}>
      <a href={exerciseHref(exercise.id)} className="exercise-link" onPointerEnter={preload} onFocus={preload}>
        <span className="exercise-title">{pick(exercise.title, lang)}</span>
        <span className="exercise-id">{exercise.id}</span>
      </a>
      <span className={`status status-${tone}`} data-testid="exercise-status">
        {tone === 'full' && <span aria-hidden="true">✓ </span>}
        {status}
        {level && (
          <span className="level">
            {' '}
            · {t.levelLabel}: {level}
          </span>
        )}
      </span>
    </li>
  );
}

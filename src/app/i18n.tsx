import { createContext, useContext, type ReactNode } from 'react';

export type Lang = 'ru' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'en'];

/** Text available in both UI languages (statements, titles, grader messages). */
export type Localized = { ru: string; en: string };

const en = {
  appTitle: 'Microservices Data Lab',
  appTagline: 'Write services against a simulated distributed system that fails on purpose.',
  skipToContent: 'Skip to content',
  courseMap: 'Course map',
  language: 'Language',
  switchLanguage: 'Русский',
  switchLanguageLabel: 'Switch interface to Russian',
  blockTitle: 'Block 4 · Data management in microservices',
  overallProgress: 'Overall progress',
  pointsOf: (got: number, max: number) => `${got} of ${max} points`,
  exercisesDone: (done: number, total: number) => `${done} of ${total} exercises solved`,
  statusNotStarted: 'Not started',
  statusInProgress: 'In progress',
  statusScore: (got: number, max: number) => `${got} / ${max}`,
  levelLabel: 'Level',
  levels: { basic: 'basic', advanced: 'advanced', expert: 'expert' } as Record<string, string>,
  randomScenario: 'Random faults (seeded)',
  seedDisabledHint: 'Deterministic scenarios use their own seed',
  runSummary: (reason: string, now: number, events: number) => `${reason} at t=${now} ms, ${events} events`,
  reasons: { quiescent: 'quiescent', 'time-limit': 'virtual time limit', 'event-budget': 'event budget exhausted' } as Record<string, string>,
  faults: 'Faults',
  noFaults: 'No faults injected.',
  verdicts: 'Checks on this run',
  problems: 'Problems in your code',
  finalState: 'Final state',
  replayScenario: (check: string, scenario: string) => `Replay: check “${check}”, scenario “${scenario}”`,
  levelReached: 'Level reached',
  noLevel: 'no level yet',
  seedsRun: (n: number) => `${n} random runs`,
  noExercisesYet: 'No exercises in this chapter yet.',
  chapter: (n: number) => `Chapter ${n}`,
  finalProject: 'Final project',
  loadingCatalog: 'Loading exercises…',
  catalogError: 'The exercise catalogue could not be loaded.',
  exerciseNotFound: (id: string) => `There is no exercise “${id}”.`,
  backToMap: 'Back to the course map',
  statement: 'Statement',
  statementLanguage: 'Statement language',
  editorLoading: 'Loading editor…',
  editorLabel: 'Solution code (TypeScript)',
  run: 'Run',
  runTitle: 'Run one seeded scenario (Ctrl/Cmd+Enter)',
  grade: 'Grade',
  gradeTitle: 'Run all checks (Ctrl/Cmd+Shift+Enter)',
  stop: 'Stop',
  resetToStarter: 'Reset to starter',
  resetConfirm: 'Replace your code with the starter code? Your current text stays in the history.',
  scenario: 'Scenario',
  seed: 'Seed',
  running: 'Running…',
  grading: 'Grading…',
  gradingProgress: (done: number, total: number) => `Grading: ${done} of ${total} runs`,
  stopped: 'Stopped. Nothing was graded.',
  idleHint: 'Ready · Ctrl/Cmd+Enter runs, Ctrl/Cmd+Shift+Enter grades',
  runFinished: (outcome: string) => `Run finished: ${outcome}`,
  runFailed: 'The run failed',
  logs: 'Logs',
  noLogs: 'Your code wrote no logs.',
  trace: 'Trace',
  traceEvents: (n: number) => `${n} events`,
  traceTruncated: (shown: number, total: number) => `Showing the first ${shown} of ${total} events.`,
  colTime: 'Time',
  colService: 'Service',
  colKind: 'Kind',
  colDetails: 'Details',
  results: 'Results',
  score: 'Score',
  scoreLine: (got: number, max: number) => `${got} / ${max} points`,
  passed: 'passed',
  failed: 'failed',
  failingSeed: (seed: number) => `failing seed ${seed}`,
  replaySeed: 'Replay this seed',
  replayScenarioLink: 'Replay this scenario',
  observed: 'What the run showed (not scored)',
  replayOf: (check: string, seed: number) => `Replay: check “${check}”, random fault run with seed ${seed}`,
  closeReplay: 'Close replay',
  compileErrors: 'Your code does not compile',
  history: 'History',
  historyEmpty: 'No saved versions yet.',
  restore: 'Restore',
  restoreConfirm: 'Replace the editor contents with this version? Your current text stays in the history.',
  versionKind: { autosave: 'saved', reset: 'before reset', restore: 'before restore', grade: 'graded' } as Record<string, string>,
  savedAt: (time: string) => `Saved ${time}`,
  saving: 'Saving…',
  notSavedYet: 'Not saved yet',
  linesCount: (n: number) => `${n} lines`,
  storageError: (msg: string) => `Your work could not be saved in this browser: ${msg}. Copy your code somewhere safe.`,
  storageUnavailable: 'browser storage (IndexedDB) is unavailable — private mode or disabled storage?',
  storageQuota: 'the storage quota is exhausted',
  dismiss: 'Dismiss',
  gradingUnavailable: 'The grading engine is not available in this build.',
  engineError: (msg: string) => `Engine error: ${msg}`,
  timeoutMessage: 'Your code ran too long and was stopped (infinite loop?). The page is still usable.',
  grades: 'Grades',
  hints: 'Hints',
  showHint: (n: number) => `Show hint ${n}`,
  keyboardHelp: 'Keyboard',
  editorTabHint: 'In the editor, Tab indents; press Ctrl+M (Ctrl+Shift+M on macOS) to make Tab move focus instead.',
  themeNote: 'Follows your system light/dark setting.',
  maxPoints: 'max',
  points: 'pts',
  offlineReady: 'Works offline: everything is bundled.',
};

export type Messages = typeof en;

const ru: Messages = {
  appTitle: 'Microservices Data Lab',
  appTagline: 'Пишите сервисы для симулированной распределённой системы, которая ломается намеренно.',
  skipToContent: 'Перейти к содержимому',
  courseMap: 'Карта курса',
  language: 'Язык',
  switchLanguage: 'English',
  switchLanguageLabel: 'Переключить интерфейс на английский',
  blockTitle: 'Блок 4 · Управление данными в микросервисах',
  overallProgress: 'Общий прогресс',
  pointsOf: (got, max) => `${got} из ${max} баллов`,
  exercisesDone: (done, total) => `Решено упражнений: ${done} из ${total}`,
  statusNotStarted: 'Не начато',
  statusInProgress: 'В процессе',
  statusScore: (got, max) => `${got} / ${max}`,
  levelLabel: 'Уровень',
  levels: { basic: 'базовый', advanced: 'продвинутый', expert: 'экспертный' },
  randomScenario: 'Случайные отказы (по сиду)',
  seedDisabledHint: 'Детерминированные сценарии используют свой сид',
  runSummary: (reason, now, events) => `${reason} при t=${now} мс, событий: ${events}`,
  reasons: { quiescent: 'система затихла', 'time-limit': 'лимит виртуального времени', 'event-budget': 'бюджет событий исчерпан' },
  faults: 'Отказы',
  noFaults: 'Отказов не было.',
  verdicts: 'Проверки на этом запуске',
  problems: 'Проблемы в вашем коде',
  finalState: 'Итоговое состояние',
  replayScenario: (check, scenario) => `Повтор: проверка «${check}», сценарий «${scenario}»`,
  levelReached: 'Достигнутый уровень',
  noLevel: 'уровень пока не достигнут',
  seedsRun: (n) => `случайных прогонов: ${n}`,
  noExercisesYet: 'В этой главе пока нет упражнений.',
  chapter: (n) => `Глава ${n}`,
  finalProject: 'Итоговый проект',
  loadingCatalog: 'Загрузка упражнений…',
  catalogError: 'Не удалось загрузить каталог упражнений.',
  exerciseNotFound: (id) => `Упражнения «${id}» нет.`,
  backToMap: 'Назад к карте курса',
  statement: 'Условие',
  statementLanguage: 'Язык условия',
  editorLoading: 'Загрузка редактора…',
  editorLabel: 'Код решения (TypeScript)',
  run: 'Запустить',
  runTitle: 'Один запуск выбранного сценария с сидом (Ctrl/Cmd+Enter)',
  grade: 'Оценить',
  gradeTitle: 'Запустить все проверки (Ctrl/Cmd+Shift+Enter)',
  stop: 'Остановить',
  resetToStarter: 'Сбросить к заготовке',
  resetConfirm: 'Заменить ваш код заготовкой? Текущий текст останется в истории.',
  scenario: 'Сценарий',
  seed: 'Сид',
  running: 'Выполняется…',
  grading: 'Оценивание…',
  gradingProgress: (done, total) => `Оценивание: ${done} из ${total} запусков`,
  stopped: 'Остановлено. Оценка не выставлена.',
  idleHint: 'Готово · Ctrl/Cmd+Enter — запуск, Ctrl/Cmd+Shift+Enter — оценка',
  runFinished: (outcome) => `Запуск завершён: ${outcome}`,
  runFailed: 'Запуск завершился ошибкой',
  logs: 'Журнал',
  noLogs: 'Ваш код ничего не записал в журнал.',
  trace: 'Трасса',
  traceEvents: (n) => `событий: ${n}`,
  traceTruncated: (shown, total) => `Показаны первые ${shown} из ${total} событий.`,
  colTime: 'Время',
  colService: 'Сервис',
  colKind: 'Тип',
  colDetails: 'Подробности',
  results: 'Результаты',
  score: 'Балл',
  scoreLine: (got, max) => `${got} / ${max} баллов`,
  passed: 'пройдено',
  failed: 'не пройдено',
  failingSeed: (seed) => `сид с ошибкой ${seed}`,
  replaySeed: 'Повторить этот сид',
  replayScenarioLink: 'Повторить этот сценарий',
  observed: 'Что показал прогон (без баллов)',
  replayOf: (check, seed) => `Повтор: проверка «${check}», случайный прогон с сидом ${seed}`,
  closeReplay: 'Закрыть повтор',
  compileErrors: 'Код не компилируется',
  history: 'История',
  historyEmpty: 'Сохранённых версий пока нет.',
  restore: 'Восстановить',
  restoreConfirm: 'Заменить содержимое редактора этой версией? Текущий текст останется в истории.',
  versionKind: { autosave: 'сохранено', reset: 'перед сбросом', restore: 'перед восстановлением', grade: 'оценено' },
  savedAt: (time) => `Сохранено ${time}`,
  saving: 'Сохранение…',
  notSavedYet: 'Ещё не сохранено',
  linesCount: (n) => `строк: ${n}`,
  storageError: (msg) => `Не удалось сохранить работу в этом браузере: ${msg}. Скопируйте код в надёжное место.`,
  storageUnavailable: 'хранилище браузера (IndexedDB) недоступно — приватный режим или хранилище отключено?',
  storageQuota: 'квота хранилища исчерпана',
  dismiss: 'Закрыть',
  gradingUnavailable: 'Движок оценивания недоступен в этой сборке.',
  engineError: (msg) => `Ошибка движка: ${msg}`,
  timeoutMessage: 'Ваш код выполнялся слишком долго и был остановлен (бесконечный цикл?). Страница по-прежнему работает.',
  grades: 'Оценки',
  hints: 'Подсказки',
  showHint: (n) => `Показать подсказку ${n}`,
  keyboardHelp: 'Клавиатура',
  editorTabHint: 'В редакторе Tab делает отступ; Ctrl+M (Ctrl+Shift+M на macOS) переключает Tab на переход фокуса.',
  themeNote: 'Светлая/тёмная тема следует настройкам системы.',
  maxPoints: 'макс.',
  points: 'балл.',
  offlineReady: 'Работает офлайн: всё включено в сборку.',
};

export const MESSAGES: Record<Lang, Messages> = { ru, en };

export function defaultLang(language: string | undefined): Lang {
  return language && language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function pick(text: Localized | string | undefined | null, lang: Lang): string {
  if (text === undefined || text === null) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text.en || text.ru;
}

/**
 * Sandbox messages embedded in grader text come as "English / Русский". In the
 * English UI, drop the Russian half; in the Russian UI keep both (the English
 * half cannot be delimited reliably inside a longer sentence).
 */
export function monolingual(text: string, lang: Lang): string {
  if (lang !== 'en') return text;
  return text.replace(/ \/ [А-Яа-яЁё][^]*$/u, '');
}

interface LangContextValue {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Messages;
}

const LangContext = createContext<LangContextValue | null>(null);

export function LangProvider(props: { lang: Lang; setLang(lang: Lang): void; children: ReactNode }) {
  return (
    <LangContext.Provider value={{ lang: props.lang, setLang: props.setLang, t: MESSAGES[props.lang] }}>
      {props.children}
    </LangContext.Provider>
  );
}

export function useI18n(): LangContextValue {
  const value = useContext(LangContext);
  if (!value) throw new Error('useI18n outside LangProvider');
  return value;
}

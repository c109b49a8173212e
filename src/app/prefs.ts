import { defaultLang, type Lang } from './i18n.tsx';

/** Small UI preferences, kept in localStorage so the first paint already uses them. */
const UI_LANG_KEY = 'mdl.uiLang';
const STATEMENT_LANG_KEY = 'mdl.statementLang';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the preference lasts for this page only.
  }
}

function asLang(value: string | null): Lang | null {
  return value === 'ru' || value === 'en' ? value : null;
}

export function loadUiLang(): Lang {
  return asLang(read(UI_LANG_KEY)) ?? defaultLang(navigator.language);
}

export function saveUiLang(lang: Lang): void {
  write(UI_LANG_KEY, lang);
}

export function loadStatementLang(fallback: Lang): Lang {
  return asLang(read(STATEMENT_LANG_KEY)) ?? fallback;
}

export function saveStatementLang(lang: Lang): void {
  write(STATEMENT_LANG_KEY, lang);
}

import { describe, expect, it } from 'vitest';
import { exerciseHref, parseRoute, replayHref } from '../../src/app/router.ts';
import { MESSAGES, defaultLang, monolingual, pick } from '../../src/app/i18n.tsx';

describe('hash routes', () => {
  it('parses the map, exercises and replays', () => {
    expect(parseRoute('')).toEqual({ name: 'map' });
    expect(parseRoute('#/')).toEqual({ name: 'map' });
    expect(parseRoute('#/ex/saga-orchestration-hotel')).toEqual({ name: 'exercise', exerciseId: 'saga-orchestration-hotel' });
    expect(parseRoute('#/ex/saga/replay/compensation-order/17')).toEqual({
      name: 'replay',
      exerciseId: 'saga',
      checkId: 'compensation-order',
      seed: 17,
    });
    expect(parseRoute('#/ex/saga/replay/c/notanumber').name).toBe('not-found');
    expect(parseRoute('#/nope').name).toBe('not-found');
  });

  it('round-trips the links it builds, also with unusual ids', () => {
    expect(parseRoute(exerciseHref('a b/c'))).toEqual({ name: 'exercise', exerciseId: 'a b/c' });
    expect(parseRoute(replayHref('ex', 'check/x', { seed: 42 }))).toEqual({ name: 'replay', exerciseId: 'ex', checkId: 'check/x', seed: 42 });
    expect(parseRoute(replayHref('ex', 'c', { scenario: 'crash after hotel' }))).toEqual({
      name: 'replay',
      exerciseId: 'ex',
      checkId: 'c',
      scenario: 'crash after hotel',
    });
  });
});

describe('UI messages', () => {
  it('have the same keys and kinds in Russian and English', () => {
    const ru = MESSAGES.ru as Record<string, unknown>;
    const en = MESSAGES.en as Record<string, unknown>;
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en)) expect(typeof ru[key], key).toBe(typeof en[key]);
  });

  it('default language follows navigator.language', () => {
    expect(defaultLang('ru-RU')).toBe('ru');
    expect(defaultLang('en-US')).toBe('en');
    expect(defaultLang('de')).toBe('en');
    expect(defaultLang(undefined)).toBe('en');
  });

  it('picks localized text with a fallback', () => {
    expect(pick({ ru: 'да', en: 'yes' }, 'ru')).toBe('да');
    expect(pick({ ru: '', en: 'yes' }, 'ru')).toBe('yes');
    expect(pick('plain', 'en')).toBe('plain');
  });
});

describe('monolingual', () => {
  it('drops the Russian half of a sandbox message in the English UI only', () => {
    const msg = 'A handler threw: RangeError: Loop ran too long: probably an infinite loop / Цикл выполнялся слишком долго';
    expect(monolingual(msg, 'en')).toBe('A handler threw: RangeError: Loop ran too long: probably an infinite loop');
    expect(monolingual(msg, 'ru')).toBe(msg);
    expect(monolingual('a / b', 'en')).toBe('a / b');
  });
});

/**
 * The learner's `Date`: a real Date (same internal slot, `instanceof`,
 * subclassing, JSON) whose "local" time is UTC on every machine, so the host's
 * time zone (a learner's laptop in New York, the instructor's CLI in UTC)
 * never changes a run.
 *
 * - Every local-time method (`getHours`, `setMonth`, `getYear`/`setYear`,
 *   `getTimezoneOffset`, `toString`, `toLocale*String` whatever their locale
 *   and options arguments) reads or writes UTC; `toString` prints `GMT+0000`.
 * - Construction from components (`new Date(2025, 5, 15)`) is `Date.UTC`;
 *   strings are parsed as if the host were in UTC (`parseUtc`).
 * - Learner dates never inherit from the realm's intrinsic `Date.prototype`:
 *   its constructor (SES's shared Date) parses strings and components in the
 *   host zone, so it must stay unreachable. The prototype chain is
 *   per-instance `Date.prototype` (mutable, like any realm's) → a frozen shared
 *   base holding the methods → `Object.prototype`.
 *
 * `makeDateClass(now)` builds one module instance's Date (virtual clock);
 * `makeDateClass(null)` a clockless one for the compartment's shared global.
 */
import { hostFunction, hostMethod } from './host-function.ts';

// Captured at module load: the engine's own Date (in the worker, before lockdown).
const EngineDate = Date;
const EP = Date.prototype as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
const getTime = EP.getTime!;
const setTime = EP.setTime!;
const engineParse = Date.parse;
const apply = Reflect.apply;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const year = (y: number) => (y < 0 ? `-${pad(-y, 6)}` : pad(y, 4));

// ---------------------------------------------------------------- parsing

/** ES5 date-time with a time but no offset: local time per spec, UTC here. */
const ES5_LOCAL = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?[Tt]\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;
/** Any other complete ES5 string (date-only = UTC, or with Z / ±hh:mm): already zone-independent. */
const ES5_ABSOLUTE = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?(?:[Tt]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:?\d\d))?$/;

const TZ_WORDS = new Set(['ut', 'utc', 'z', 'gmt', 'cdt', 'cst', 'edt', 'est', 'mdt', 'mst', 'pdt', 'pst']);

const isDigit = (c: number) => c >= 48 && c <= 57;
// V8's IsWhiteSpaceOrLineTerminator.
const isSpace = (ch: string) => /^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$/.test(ch);

/**
 * Does V8's legacy date parser find an explicit time zone in `text`? Mirrors
 * its tokenizer and the two rules that set a zone (dateparser-inl.h): a zone
 * word (UTC, GMT, Z, EST, …) after a number, or a sign after a time (or after
 * a UTC word). Only used on strings the engine parsed successfully.
 */
export function hasExplicitZone(text: string): boolean {
  let i = 0;
  let hasNumber = false;
  let timeIndex = 0; // components in V8's TimeComposer (4 = final)
  const n = text.length;
  const peekIs = (ch: string) => text[i] === ch;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      const start = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const value = Number(text.slice(start, i));
      hasNumber = true;
      if (peekIs(':')) {
        timeIndex = Math.min(4, timeIndex + 1);
        i++;
        if (peekIs(':')) i++;
        else if (peekIs('.')) i++;
      } else if (peekIs('.') && timeIndex > 0 && timeIndex < 4) {
        timeIndex = 4;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      } else if (timeIndex > 0 && timeIndex < 4 && value <= 999) {
        timeIndex = 4; // the final time component
      } else if (peekIs('-')) {
        i++; // a day separator, not a sign
      }
      continue;
    }
    const ch = text[i]!;
    if (ch === '+' || ch === '-') {
      if (timeIndex > 0) return true;
      i++;
      continue;
    }
    if (ch === '(') {
      let depth = 0;
      do {
        if (text[i] === ')') depth--;
        else if (text[i] === '(') depth++;
        i++;
      } while (depth > 0 && i < n);
      continue;
    }
    if (c >= 65 && !isSpace(ch)) {
      let word = '';
      const start = i;
      while (i < n && text.charCodeAt(i) >= 65 && !isSpace(text[i]!)) {
        if (i - start < 3) word += text[i]!.replace(/[A-Z]/, (u) => u.toLowerCase());
        i++;
      }
      if (i - start <= 3 && TZ_WORDS.has(word) && hasNumber) return true;
      continue;
    }
    i++;
  }
  return false;
}

/** Parenthesised comments (ignored by V8) as one neutral character, so an appended zone is never swallowed. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '(') {
      out += text[i++];
      continue;
    }
    let depth = 0;
    do {
      if (text[i] === ')') depth--;
      else if (text[i] === '(') depth++;
      i++;
    } while (depth > 0 && i < text.length);
    out += '#';
  }
  return out;
}

/** `Date.parse` as if the host's time zone were UTC (the same on every machine). */
export function parseUtc(text: string): number {
  if (ES5_LOCAL.test(text)) return engineParse(`${text}Z`);
  const t = engineParse(text);
  if (Number.isNaN(t) || ES5_ABSOLUTE.test(text) || hasExplicitZone(text)) return t;
  // No zone in the text: the engine read it as host-local time; read it as UTC instead.
  return engineParse(`${withoutComments(text)} Z`);
}

// ---------------------------------------------------------------- the methods

const valid = (d: unknown) => !Number.isNaN(apply(getTime, d, []) as number);
const utc = (name: string) => EP[`getUTC${name}`]!;
function dateString(d: unknown): string {
  return `${DAYS[utc('Day').call(d) as number]} ${MONTHS[utc('Month').call(d) as number]} ${pad(utc('Date').call(d) as number)} ${year(utc('FullYear').call(d) as number)}`;
}
function timeString(d: unknown): string {
  return `${pad(utc('Hours').call(d) as number)}:${pad(utc('Minutes').call(d) as number)}:${pad(utc('Seconds').call(d) as number)} GMT+0000 (Coordinated Universal Time)`;
}

function makeBase(): object {
  const base: Record<PropertyKey, unknown> = {};
  const def = (key: PropertyKey, value: unknown) => Object.defineProperty(base, key, { value, writable: false, enumerable: false, configurable: false });
  // Zone-independent intrinsics, shared as they are (frozen by lockdown, native source text).
  for (const key of Reflect.ownKeys(EP)) {
    if (typeof key === 'string' && /^(getTime|setTime|valueOf|toISOString|toJSON|toUTCString|toGMTString|getUTC\w+|setUTC\w+)$/.test(key)) def(key, EP[key]);
  }
  def(Symbol.toPrimitive, EP[Symbol.toPrimitive as unknown as string]);
  const lengths: Record<string, number> = { FullYear: 3, Month: 2, Date: 1, Hours: 4, Minutes: 3, Seconds: 2, Milliseconds: 1 };
  for (const name of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    const get = EP[`getUTC${name}`]!;
    def(`get${name}`, hostMethod(`get${name}`, 0, function (this: unknown) { return apply(get, this, []); }));
    if (name !== 'Day') {
      const set = EP[`setUTC${name}`]!;
      def(`set${name}`, hostMethod(`set${name}`, lengths[name]!, function (this: unknown, ...a: unknown[]) { return apply(set, this, a); }));
    }
  }
  const getFullYear = EP.getUTCFullYear!;
  const setFullYear = EP.setUTCFullYear!;
  def('getYear', hostMethod('getYear', 0, function (this: unknown) { return (apply(getFullYear, this, []) as number) - 1900; }));
  def('setYear', hostMethod('setYear', 1, function (this: unknown, y: unknown) {
    // Annex B setYear, with UTC as local time.
    const t = apply(getTime, this, []) as number;
    const yn = Number(y);
    if (Number.isNaN(yn)) return apply(setTime, this, [NaN]);
    const yi = Math.trunc(yn);
    const tmp = new EngineDate(Number.isNaN(t) ? 0 : t);
    setFullYear.call(tmp, yi >= 0 && yi <= 99 ? 1900 + yi : yn);
    return apply(setTime, this, [getTime.call(tmp)]);
  }));
  def('getTimezoneOffset', hostMethod('getTimezoneOffset', 0, function (this: unknown) { return valid(this) ? 0 : NaN; }));
  const strings: Record<string, (d: unknown) => string> = {
    toString: (d: unknown) => `${dateString(d)} ${timeString(d)}`,
    toDateString: dateString,
    toTimeString: timeString,
    toLocaleString: (d: unknown) => `${dateString(d)} ${timeString(d)}`,
    toLocaleDateString: dateString,
    toLocaleTimeString: timeString,
  };
  for (const [name, f] of Object.entries(strings)) {
    def(name, hostMethod(name, 0, function (this: unknown) { return valid(this) ? f(this) : 'Invalid Date'; }));
  }
  return Object.freeze(base);
}

let sharedBase: object | undefined;

// ---------------------------------------------------------------- the constructor

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** ES ToPrimitive(v, default), so a string from an object is parsed here, never by the engine. */
function toPrimitive(v: object): unknown {
  const exotic = (v as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError('Symbol.toPrimitive is not a function');
    const r = apply(exotic, v, ['default']);
    if (isObject(r)) throw new TypeError('Cannot convert object to primitive value');
    return r;
  }
  for (const m of ['valueOf', 'toString'] as const) {
    const f = (v as Record<string, unknown>)[m];
    if (typeof f === 'function') {
      const r = apply(f, v, []);
      if (!isObject(r)) return r;
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/** The time value `new Date(value)` gets from one argument. */
function timeOf(value: unknown): number {
  if (isObject(value)) {
    try {
      return apply(getTime, value, []) as number; // a Date: its time value
    } catch {
      value = toPrimitive(value);
    }
  }
  return typeof value === 'string' ? parseUtc(value) : +(value as number);
}

const NO_CLOCK = 'This Date has no clock: use the module\'s own Date (globalThis.Date is shared by every service) / '
  + 'У этого Date нет часов: используйте Date модуля (globalThis.Date общий для всех сервисов)';

/** A learner Date class: `now` gives the virtual wall clock in ms, or null for a clockless one. */
export function makeDateClass(now: (() => number) | null): DateConstructor {
  sharedBase ??= makeBase();
  const clock = () => {
    if (!now) throw new TypeError(NO_CLOCK);
    return now();
  };
  const VirtualDate = function Date(this: unknown, ...args: unknown[]) {
    if (new.target === undefined) return (sharedBase as { toString(this: unknown): string }).toString.call(new EngineDate(clock()));
    let time: number;
    if (args.length === 0) time = clock();
    else if (args.length === 1) time = timeOf(args[0]);
    else time = EngineDate.UTC(...(args as [number, number]));
    return Reflect.construct(EngineDate, [time], new.target) as object;
  };
  Object.defineProperty(VirtualDate, 'length', { value: 7 });
  const statics: Record<string, (...a: never[]) => unknown> = {
    now: hostFunction({ now() { return clock(); } }.now),
    parse: hostFunction({ parse(text: unknown) { return parseUtc(`${text}`); } }.parse),
    UTC: EngineDate.UTC,
  };
  for (const [key, value] of Object.entries(statics)) Object.defineProperty(VirtualDate, key, { value, writable: true, enumerable: false, configurable: true });
  // A module instance's own Date may be changed by that instance, like any realm's Date; the shared clockless one is frozen.
  const exposed = hostFunction(VirtualDate, false) as unknown as DateConstructor;
  const proto = Object.create(sharedBase, { constructor: { value: exposed, writable: true, enumerable: false, configurable: true } });
  Object.defineProperty(VirtualDate, 'prototype', { value: now ? proto : Object.freeze(proto), writable: false, enumerable: false, configurable: false });
  return now ? exposed : Object.freeze(exposed);
}

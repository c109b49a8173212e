/**
 * Learner-derived text made safe to show: clipped, with control and
 * format characters (ANSI ESC, CR, backspace, bidi overrides, zero-width
 * marks, lone surrogates, …) replaced by visible escapes.
 *
 * The judge applies it to every string of a report that learner code can
 * influence (check messages, problems, trace slices, run state), so the CLI
 * table, `--json` and the app all show the same bounded, inert text — a
 * status string like "\x1b[2K\rscore 100/100" cannot repaint a terminal line
 * or reorder what a reader sees.
 */

/** Default length of one learner-derived string in a report (UTF-16 code units, before escaping). */
export const TEXT_MAX = 500;
/** Default length of one whole check message (exercise text with learner values inside). */
export const MESSAGE_MAX = 1000;

// C0 and C1 controls, DEL, bidi controls and marks, zero-width and invisible
// format characters, line/paragraph separators, BOM, interlinear annotations,
// and lone surrogates.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Replaces every control/format character by a visible escape (`\x1b`, `\r`, `\u202e`); `keepNewlines` leaves `\n` as is. */
export function escapeControls(text: string, keepNewlines = false): string {
  return text.replace(UNSAFE, keepNewlines ? (ch) => (ch === '\n' ? ch : escapeOne(ch)) : escapeOne);
}

/** Clips to `max` UTF-16 code units (never splitting a surrogate pair) and says how much was cut. */
export function clipText(text: string, max = TEXT_MAX): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}… [+${text.length - end} chars]`;
}

/** Clipped, then escaped: the form every learner-derived string takes in a report. */
export function safeText(text: unknown, max = TEXT_MAX): string {
  return escapeControls(clipText(typeof text === 'string' ? text : String(text), max));
}

/** Both languages of a message made safe. */
export function safeLocalized<T extends { ru: string; en: string }>(m: T, max = MESSAGE_MAX): { ru: string; en: string } {
  return { ru: safeText(m.ru, max), en: safeText(m.en, max) };
}

export interface SafeValueLimits {
  /** Length of each string (default TEXT_MAX). */
  text?: number;
  /** Elements of each array / keys of each object kept (default 50). */
  items?: number;
  /** Nesting depth kept (default 8). */
  depth?: number;
  /** Characters of strings and keys in the whole copy (default 20 000); past it, values become "…". */
  total?: number;
}

/**
 * A bounded, display-safe copy of plain data (trace event data, rows): strings
 * (and keys) made safe, arrays/objects cut to `items` entries (a marker says how
 * many were left out), depth and total size cut with markers. Never calls
 * getters or toJSON: the input is plain data the judge parsed itself.
 */
export function safeValue(value: unknown, limits: SafeValueLimits = {}): unknown {
  const text = limits.text ?? TEXT_MAX;
  const items = limits.items ?? 50;
  const maxDepth = limits.depth ?? 8;
  let left = limits.total ?? 20_000;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (left <= 0) return '…';
      const s = safeText(v, Math.min(text, Math.max(left, 20)));
      left -= s.length;
      return s;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth >= maxDepth || left <= 0) return Array.isArray(v) ? [`… [${v.length} items]`] : { '…': depth >= maxDepth ? 'nested too deeply' : 'too much data' };
    if (Array.isArray(v)) {
      const out = v.slice(0, items).map((x) => walk(x, depth + 1));
      if (v.length > items) out.push(`… [+${v.length - items} items]`);
      return out;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(v);
    for (const k of keys.slice(0, items)) {
      const key = safeText(k, 100);
      left -= key.length;
      Object.defineProperty(out, key, { value: walk((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
    }
    if (keys.length > items) out['…'] = `+${keys.length - items} keys`;
    return out;
  };
  return walk(value, 0);
}

/**
 * Mutants: known-wrong submissions kept next to an exercise
 * (exercises/<id>/mutants/). Each must fail every check it lists
 * (tests/grading/mutants.test.ts), which is what proves that a check catches a bug.
 *
 * A mutant is normally a small patch of the reference solution,
 * `mutants/<name>.patch`, applied at test time:
 *
 *   // mutant-fails: check-id, other-check-id
 *   // mutant-ru: одна строка описания
 *   // mutant-en: one-line description
 *   (any other text before the first hunk is a comment)
 *
 *   @@ optional title of the hunk
 *      a context line, copied from the solution
 *   -  a line of the solution to remove
 *   +  a line to put in its place
 *
 * A hunk has no line numbers: its context and removed lines, in order, must match
 * exactly one place of the solution (compared without leading and trailing
 * whitespace, so re-indenting the solution does not break it); that run of lines
 * is replaced by the context and added lines. Hunks apply one after the other.
 * Empty lines at the end of a hunk are ignored. A mutant that is not a variation
 * of the solution can be a whole submission instead: `mutants/<name>.ts` with the
 * same header.
 */
import type { Localized } from './types.ts';

export interface MutantHeader {
  fails: string[];
  description: Localized;
}

export function parseMutantHeader(source: string): MutantHeader {
  const preamble = source.split(/^@@/m)[0] ?? '';
  const field = (name: string) => {
    const m = new RegExp(`^//\\s*mutant-${name}:\\s*(.+)$`, 'm').exec(preamble);
    return m ? m[1]!.trim() : '';
  };
  const fails = field('fails')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { fails, description: { ru: field('ru'), en: field('en') } };
}

export interface PatchLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  /** 1-based line of the `@@` in the patch file. */
  line: number;
  title: string;
  lines: PatchLine[];
}

/** A patch that cannot be read or no longer applies, naming the mutant and the hunk. */
export class PatchError extends Error {
  override name = 'PatchError';
}

export function parsePatch(text: string, where = 'patch'): Hunk[] {
  const hunks: Hunk[] = [];
  let cur: Hunk | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.startsWith('@@')) {
      cur = { line: i + 1, title: raw.slice(2).replace(/@@\s*$/, '').trim(), lines: [] };
      hunks.push(cur);
      return;
    }
    if (!cur) return; // the header and free comments before the first hunk
    if (raw === '') {
      cur.lines.push({ op: ' ', text: '' });
      return;
    }
    const op = raw[0];
    if (op !== ' ' && op !== '-' && op !== '+') {
      throw new PatchError(`${where}:${i + 1}: a hunk line must start with " " (context), "-" (remove) or "+" (add), got ${JSON.stringify(raw.slice(0, 40))}`);
    }
    cur.lines.push({ op, text: raw.slice(1) });
  });
  for (const h of hunks) {
    while (h.lines.length > 0 && h.lines[h.lines.length - 1]!.op === ' ' && h.lines[h.lines.length - 1]!.text.trim() === '') h.lines.pop();
    if (!h.lines.some((l) => l.op !== '+')) throw new PatchError(`${where}:${h.line}: hunk ${describe(h)} has no context or removed line to anchor it`);
    if (!h.lines.some((l) => l.op !== ' ')) throw new PatchError(`${where}:${h.line}: hunk ${describe(h)} changes nothing`);
  }
  if (hunks.length === 0) throw new PatchError(`${where}: no hunk (a hunk starts with a line "@@")`);
  return hunks;
}

function describe(h: Hunk): string {
  return h.title ? `"${h.title}"` : `at line ${h.line}`;
}

const same = (a: string, b: string) => a.trim() === b.trim();

/** Start indexes in `lines` where `want` matches line by line. */
function matches(lines: string[], want: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + want.length <= lines.length; i++) {
    let ok = true;
    for (let j = 0; j < want.length && ok; j++) ok = same(lines[i + j]!, want[j]!);
    if (ok) out.push(i);
  }
  return out;
}

/** Where the longest prefix of `want` matches, to say which line stopped matching. */
function closest(lines: string[], want: string[]): { at: number; matched: number } {
  let best = { at: -1, matched: 0 };
  for (let i = 0; i < lines.length; i++) {
    let j = 0;
    while (j < want.length && i + j < lines.length && same(lines[i + j]!, want[j]!)) j++;
    if (j > best.matched) best = { at: i, matched: j };
  }
  return best;
}

/**
 * Applies `patch` to `base`. Errors name the patch file, the hunk and what failed
 * to match, e.g. "mutants/no-timeout.patch:12: hunk "…" does not apply to
 * solutions/x.ts: its line 3 `…` was not found after solution line 40".
 */
export function applyPatch(base: string, patch: string, names: { patch: string; base: string }): string {
  const hunks = parsePatch(patch, names.patch);
  let lines = base.split('\n');
  for (const h of hunks) {
    const want = h.lines.filter((l) => l.op !== '+').map((l) => l.text);
    const found = matches(lines, want);
    const at = `${names.patch}:${h.line}: hunk ${describe(h)}`;
    if (found.length > 1) {
      throw new PatchError(`${at} matches ${found.length} places of ${names.base} (lines ${found.map((i) => i + 1).join(', ')}): add context lines to make it unique`);
    }
    if (found.length === 0) {
      const c = closest(lines, want);
      const missing = want[c.matched]!.trim();
      const hint =
        c.matched === 0
          ? `its first line \`${missing}\` is not in ${names.base}`
          : `its first ${c.matched} line(s) match at ${names.base}:${c.at + 1}, then \`${missing}\` was expected but the solution has \`${(lines[c.at + c.matched] ?? '(end of file)').trim()}\``;
      throw new PatchError(`${at} does not apply to ${names.base} (did the solution change?): ${hint}`);
    }
    const start = found[0]!;
    const replaced: string[] = [];
    let k = start;
    for (const l of h.lines) {
      if (l.op === '+') replaced.push(l.text);
      else if (l.op === ' ') replaced.push(lines[k++]!);
      else k++;
    }
    lines = [...lines.slice(0, start), ...replaced, ...lines.slice(start + want.length)];
  }
  return lines.join('\n');
}

import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../../exercises/index.ts';
import { readExerciseFiles } from '../../src/grading/files.node.ts';
import { applyPatch, parseMutantHeader, PatchError } from '../../src/grading/mutants.ts';
import { grade } from './helpers.ts';

describe('mutants fail the checks they declare', () => {
  for (const ex of EXERCISES) {
    it(`${ex.id}: every check is proven by a mutant, and every mutant names known checks`, () => {
      const mutants = readExerciseFiles(ex.id).mutants;
      expect(mutants.length, `${ex.id} has no mutants (exercises/${ex.id}/mutants/*.patch): no check is proven`).toBeGreaterThan(0);
      const ids = new Set(ex.checks.map((c) => c.id));
      for (const m of mutants) {
        expect(m.fails.length, `${m.name} declares no check`).toBeGreaterThan(0);
        for (const id of m.fails) expect(ids.has(id), `${m.name} names unknown check ${id}`).toBe(true);
      }
      const declared = new Set(mutants.flatMap((m) => m.fails));
      expect(ex.checks.map((c) => c.id).filter((id) => !declared.has(id)), 'checks no mutant proves').toEqual([]);
    });

    for (const m of readExerciseFiles(ex.id).mutants) {
      it(`${ex.id} / ${m.name}: fails ${m.fails.join(', ')}`, async () => {
        // A patch that no longer applies names the mutant file, the hunk and the line that stopped matching.
        expect(m.error, m.error).toBeUndefined();
        const r = await grade(ex.id, m.source);
        for (const id of m.fails) {
          const c = r.checks.find((x) => x.id === id)!;
          expect(c.passed, `${m.name} should fail ${id}`).toBe(false);
          expect(c.earned).toBe(0);
          expect(c.message?.en).toBeTruthy();
          expect(c.message?.ru).toBeTruthy();
          if (c.failingSeed !== null) {
            // A random failure names its seed, its fault schedule and a trace slice.
            expect(Array.isArray(c.faults)).toBe(true);
            expect(c.traceSlice.length).toBeGreaterThan(0);
          }
        }
        expect(r.score).toBeLessThan(r.maxScore);
      });
    }
  }
});

describe('mutant patches', () => {
  const base = ['function f() {', '  const a = 1;', '  const b = 2;', '  return a + b;', '}', '', 'function g() {', '  const a = 1;', '  return a;', '}'].join('\n');
  const names = { patch: 'mutants/x.patch', base: 'solutions/x.ts' };

  it('applies context-anchored hunks, ignoring indentation, in order', () => {
    const patch = ['// mutant-fails: c', 'free text before the first hunk', '', '@@ b becomes 3', '   const a = 1;', '-  const b = 2;', '+  const b = 3;', '   return a + b;', '', '@@', '     return a;', '+    // added', ''].join('\n');
    expect(applyPatch(base, patch, names)).toBe(base.replace('const b = 2;', 'const b = 3;').replace('  return a;\n', '  return a;\n    // added\n'));
    // Re-indenting the solution does not break the patch.
    const reindented = base.replace(/^ {2}/gm, '    ');
    expect(applyPatch(reindented, patch, names)).toContain('const b = 3;');
    expect(parseMutantHeader(patch).fails).toEqual(['c']);
  });

  it('names the file, the hunk and the line that stopped matching when it no longer applies', () => {
    const stale = ['@@ b becomes 3', '   const a = 1;', '-  const b = 5;', '+  const b = 3;'].join('\n');
    expect(() => applyPatch(base, stale, names)).toThrow(PatchError);
    expect(() => applyPatch(base, stale, names)).toThrow(/mutants\/x\.patch:1: hunk "b becomes 3" does not apply to solutions\/x\.ts .*first 1 line\(s\) match at solutions\/x\.ts:2, then `const b = 5;` was expected but the solution has `const b = 2;`/);
    const missing = ['@@', '-  const zzz = 0;'].join('\n');
    expect(() => applyPatch(base, missing, names)).toThrow(/its first line `const zzz = 0;` is not in solutions\/x\.ts/);
  });

  it('refuses an ambiguous or unanchored hunk and malformed lines', () => {
    expect(() => applyPatch(base, ['@@ which a?', '-  const a = 1;', '+  const a = 2;'].join('\n'), names)).toThrow(/matches 2 places of solutions\/x\.ts \(lines 2, 8\): add context lines/);
    expect(() => applyPatch(base, ['@@', '+  only added'].join('\n'), names)).toThrow(/no context or removed line to anchor it/);
    expect(() => applyPatch(base, ['@@', '   const a = 1;'].join('\n'), names)).toThrow(/changes nothing/);
    expect(() => applyPatch(base, ['@@', '*  const a = 1;'].join('\n'), names)).toThrow(/mutants\/x\.patch:2: a hunk line must start with/);
    expect(() => applyPatch(base, '// mutant-fails: c\n', names)).toThrow(/no hunk/);
  });
});

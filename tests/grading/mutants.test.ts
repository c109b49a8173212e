import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../../exercises/index.ts';
import { readExerciseFiles } from '../../src/grading/files.node.ts';
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

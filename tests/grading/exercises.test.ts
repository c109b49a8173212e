import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES } from '../../exercises/index.ts';
import { buildApiDts } from '../../src/grading/api-dts.ts';
import { runtimeDeclarations } from '../../src/grading/runtime-dts.node.ts';
import { exerciseDir, readExerciseFiles, repoRoot, solutionPath } from '../../src/grading/files.node.ts';
import { LEVEL_ORDER } from '../../src/grading/types.ts';

describe('exercise registry and format', () => {
  it('every exercise folder is registered and every registered exercise has a folder', () => {
    const dirs = readdirSync(join(repoRoot, 'exercises'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(EXERCISES.map((e) => e.id).sort()).toEqual(dirs);
  });

  for (const ex of EXERCISES) {
    describe(ex.id, () => {
      it('has statement (ru/en), starter, types, api.d.ts, hints, mutants and a solution', () => {
        const files = readExerciseFiles(ex.id);
        expect(files.statement.ru.length).toBeGreaterThan(200);
        expect(files.statement.en.length).toBeGreaterThan(200);
        expect(files.starter).toContain(`@mdl/${ex.id}`);
        expect(existsSync(join(exerciseDir(ex.id), 'types.ts'))).toBe(true);
        expect(existsSync(solutionPath(ex.id))).toBe(true);
        expect(files.mutants.length, 'an exercise needs mutants: they prove its checks').toBeGreaterThanOrEqual(1);
        expect(ex.hints.length).toBeGreaterThan(0);
        for (const h of ex.hints) expect(h.ru && h.en).toBeTruthy();
      });

      it('api.d.ts is generated from src/sim/types.ts and the exercise types (npx tsx src/cli/gen-api.ts)', () => {
        const runtime = runtimeDeclarations(readFileSync(join(repoRoot, 'src/sim/learner-runtime.ts'), 'utf8'));
        const want = buildApiDts(ex.id, readFileSync(join(repoRoot, 'src/sim/types.ts'), 'utf8'), readFileSync(join(exerciseDir(ex.id), 'types.ts'), 'utf8'), runtime);
        expect(readExerciseFiles(ex.id).apiDts).toBe(want);
      });

      it('has consistent metadata, checks and scenarios', () => {
        expect(ex.id).toMatch(/^[a-z0-9-]+$/);
        expect(ex.version).toBeGreaterThanOrEqual(1);
        expect(ex.title.ru && ex.title.en && ex.summary.ru && ex.summary.en).toBeTruthy();
        const ids = ex.checks.map((c) => c.id);
        expect(new Set(ids).size).toBe(ids.length);
        const scenarioIds = new Set(ex.scenarios.map((s) => s.id));
        expect(scenarioIds.size).toBe(ex.scenarios.length);
        for (const c of ex.checks) {
          expect(c.points).toBeGreaterThan(0);
          expect(LEVEL_ORDER).toContain(c.level);
          expect(c.title.ru && c.title.en && c.criterion.ru && c.criterion.en).toBeTruthy();
          expect(c.scenarios.length > 0 || c.random).toBe(true);
          for (const s of c.scenarios) expect(scenarioIds.has(s)).toBe(true);
        }
        if (ex.rubric) {
          // The course rubric: basic 50, advanced 75, expert 100.
          const upTo = (i: number) => ex.checks.filter((c) => LEVEL_ORDER.indexOf(c.level) <= i).reduce((s, c) => s + c.points, 0);
          expect([upTo(0), upTo(1), upTo(2)]).toEqual([50, 75, 100]);
        }
      });

      it('every mutant declares existing checks and a one-line description in both languages', () => {
        const ids = new Set(ex.checks.map((c) => c.id));
        for (const m of readExerciseFiles(ex.id).mutants) {
          expect(m.fails.length, m.name).toBeGreaterThan(0);
          for (const f of m.fails) expect(ids.has(f), `${m.name}: ${f}`).toBe(true);
          expect(m.description.ru, m.name).toBeTruthy();
          expect(m.description.en, m.name).toBeTruthy();
        }
      });
    });
  }
});

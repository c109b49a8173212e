import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES } from '../../exercises/index.ts';
import { repoRoot } from '../../src/grading/files.node.ts';
import { LEVEL_ORDER, type Level } from '../../src/grading/types.ts';
import { grade } from './helpers.ts';

/** Fixture submissions (tests/grading/fixtures/README.md): correct ones keep full marks, buggy ones lose theirs. */
const dir = join(repoRoot, 'tests/grading/fixtures');
const list = (id: string, kind: 'correct' | 'buggy') => {
  const d = join(dir, id, kind);
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.ts')).sort().map((f) => ({ name: f, source: readFileSync(join(d, f), 'utf8') })) : [];
};
const header = (source: string, name: string) => [...source.matchAll(/^\/\/\s*fixture-([a-z-]+):\s*(.+)$/gm)].find((m) => m[1] === name)?.[2]?.trim();
const rank = (l: Level | null) => (l === null ? -1 : LEVEL_ORDER.indexOf(l));

describe('fixture submissions', () => {
  for (const ex of EXERCISES) {
    for (const f of list(ex.id, 'correct')) {
      it(`${ex.id} / correct/${f.name}: full marks`, async () => {
        const r = await grade(ex.id, f.source);
        expect(r.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.message?.en}`)).toEqual([]);
        expect(r.score).toBe(r.maxScore);
      }, 120_000);
    }
    for (const f of list(ex.id, 'buggy')) {
      const fails = (header(f.source, 'fails') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const atMost = header(f.source, 'level-at-most') ?? 'none';
      it(`${ex.id} / buggy/${f.name}: fails ${fails.join(', ')}; reaches at most ${atMost}`, async () => {
        expect(fails.length, 'a buggy fixture names the checks it must fail').toBeGreaterThan(0);
        const r = await grade(ex.id, f.source);
        for (const id of fails) expect(r.checks.find((c) => c.id === id)?.passed, `${f.name} should fail ${id}`).toBe(false);
        expect(rank(r.level), `level ${r.level}`).toBeLessThanOrEqual(atMost === 'none' ? -1 : LEVEL_ORDER.indexOf(atMost as Level));
      }, 120_000);
    }
  }
});

import { describe, expect, it } from 'vitest';
import { allExerciseTexts } from '../../exercises/assets.ts';
import { readExerciseFiles } from '../../src/grading/files.node.ts';
import { listExercises } from '../../src/grading/index.ts';

describe('browser-importable exercise assets', () => {
  it('import.meta.glob exposes the same texts as the Node reader', () => {
    const texts = allExerciseTexts();
    for (const info of listExercises()) {
      const t = texts[info.id]!;
      const f = readExerciseFiles(info.id);
      expect(t.statement).toEqual(f.statement);
      expect(t.starter).toBe(f.starter);
      expect(t.apiDts).toBe(f.apiDts);
      expect(t.apiDts).toContain(`declare module '${t.apiModule}'`);
      expect(info.maxScore).toBe(100);
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
    }
  });
});

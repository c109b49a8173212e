/**
 * Browser (Vite) access to the exercises' text files: statements, starter code,
 * api.d.ts for Monaco, mutants. Uses import.meta.glob with `?raw`, so it only
 * works under Vite/vitest; Node tools use src/grading/files.node.ts instead.
 */
import type { Localized } from '../src/grading/types.ts';
import { exerciseIds } from './index.ts';

const files = import.meta.glob(['./*/README.*.md', './*/starter.ts', './*/api.d.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export interface ExerciseTexts {
  statement: Localized;
  starter: string;
  apiDts: string;
  /** Module name learner code imports types from. */
  apiModule: string;
}

export function exerciseTexts(id: string): ExerciseTexts {
  const get = (name: string) => {
    const text = files[`./${id}/${name}`];
    if (text === undefined) throw new Error(`exercise ${id}: missing ${name}`);
    return text;
  };
  return {
    statement: { ru: get('README.ru.md'), en: get('README.en.md') },
    starter: get('starter.ts'),
    apiDts: get('api.d.ts'),
    apiModule: `@mdl/${id}`,
  };
}

export function allExerciseTexts(): Record<string, ExerciseTexts> {
  return Object.fromEntries(exerciseIds().map((id) => [id, exerciseTexts(id)]));
}

/** The serializable summary of an exercise (lists, the app's catalogue): no grading code attached. */
import { EXERCISES } from '../../exercises/index.ts';
import type { ExerciseDefinition, ExerciseInfo } from './types.ts';

export function exerciseInfo(ex: ExerciseDefinition): ExerciseInfo {
  return {
    id: ex.id,
    version: ex.version,
    chapter: ex.chapter,
    order: ex.order,
    title: ex.title,
    summary: ex.summary,
    criteria: ex.criteria,
    rubric: ex.rubric,
    hints: ex.hints,
    learnerServices: ex.learnerServices,
    maxScore: ex.checks.reduce((s, c) => s + c.points, 0),
    checks: ex.checks.map((c) => ({
      id: c.id,
      title: c.title,
      points: c.points,
      level: c.level,
      criterion: c.criterion,
      scenarios: c.scenarios,
      random: c.random,
    })),
    scenarios: ex.scenarios.map((s) => ({ id: s.id, title: s.title })),
  };
}

/** Summaries of every exercise, for the app's catalogue (imports no grading code). */
export function listExercises(): ExerciseInfo[] {
  return EXERCISES.map(exerciseInfo);
}

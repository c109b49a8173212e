import { findExercise } from '../../exercises/index.ts';
import { gradeWithFactory } from '../../src/grading/grade.ts';
import { trustedFactory } from '../../src/grading/local-factory.ts';
import type { ExerciseDefinition, GradeOptions, GradeReport, ModuleFactory } from '../../src/grading/types.ts';

export function exercise(id: string): ExerciseDefinition {
  const ex = findExercise(id);
  if (!ex) throw new Error(`no exercise ${id}`);
  return ex;
}

export function factoryOf(source: string): ModuleFactory {
  const r = trustedFactory(source);
  if (!r.ok) throw new Error(r.message);
  return r.factory;
}

export function grade(id: string, source: string, opts: GradeOptions = {}): Promise<GradeReport> {
  return gradeWithFactory(exercise(id), factoryOf(source), opts);
}

/**
 * Wires the app to the grading layer: the exercise registry (definitions +
 * texts) for the catalogue, and the sandbox's browser host running the grading
 * worker (src/grading/worker-entry.ts) for runs and grades, off the main thread.
 */
import { listExercises } from '../grading/exercise-info.ts';
import { exerciseTexts, type ExerciseTexts } from '../../exercises/assets.ts';
import type { Engine } from './engine.ts';
import type { ExerciseInfo } from './types.ts';
import { createWorkerClient } from './worker-client.ts';

/** The exercises with complete texts; an exercise still missing files is left out (and reported in the console). */
export function loadCatalog(): ExerciseInfo[] {
  const result: ExerciseInfo[] = [];
  for (const info of listExercises()) {
    let t: ExerciseTexts;
    try {
      t = exerciseTexts(info.id);
    } catch (error) {
      console.warn(`exercise ${info.id} left out of the catalogue:`, error);
      continue;
    }
    result.push({
      ...info,
      chapter: Math.min(Math.max(info.chapter, 1), 5),
      statement: t.statement,
      starter: t.starter,
      extraLibs: [{ fileName: `file:///node_modules/${t.apiModule}/index.d.ts`, content: t.apiDts }],
    });
  }
  return result;
}

export async function createEngine(): Promise<Engine> {
  return { exercises: loadCatalog(), client: createWorkerClient() };
}

/**
 * The one list of exercises. Adding an exercise = adding its folder and one line
 * here. Code only (definitions: scenarios, services, checks, hints), so it can be
 * imported by the Node CLI, by vitest and by the browser worker alike; texts
 * (statements, starter, api.d.ts, mutants) are files next to each definition
 * (read with src/grading/files.node.ts in Node, exercises/assets.ts in Vite).
 */
import type { ExerciseDefinition } from '../src/grading/types.ts';
import sagaOrchestrationHotel from './saga-orchestration-hotel/exercise.ts';
import eventStoreConcurrency from './event-store-concurrency/exercise.ts';
import sagaChoreographyOrder from './saga-choreography-order/exercise.ts';
import twoPhaseCommitTransfer from './two-phase-commit-transfer/exercise.ts';
import dbPerServiceDecomposition from './db-per-service-decomposition/exercise.ts';
import capReplicatedStock from './cap-replicated-stock/exercise.ts';


export const EXERCISES: readonly ExerciseDefinition[] = [sagaOrchestrationHotel, eventStoreConcurrency, twoPhaseCommitTransfer, dbPerServiceDecomposition, capReplicatedStock, sagaChoreographyOrder].sort(
  (a, b) => a.chapter - b.chapter || a.order - b.order,
);

export function exerciseIds(): string[] {
  return EXERCISES.map((e) => e.id);
}

export function findExercise(id: string): ExerciseDefinition | undefined {
  return EXERCISES.find((e) => e.id === id);
}

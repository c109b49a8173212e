import type { ExerciseInfo, GradingClient } from './types.ts';

/** The course content plus the client that runs and grades code off the main thread. */
export interface Engine {
  exercises: ExerciseInfo[];
  client: GradingClient;
}

/** Loaded lazily so the course map's first paint does not wait for the grading layer. */
export async function loadEngine(): Promise<Engine> {
  const { createEngine } = await import('./engine-adapter.ts');
  return createEngine();
}

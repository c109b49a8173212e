import { assign, fromCallback, fromPromise, setup, type ActorRefFrom } from 'xstate';
import type { GradeProgress, GradeResult, GradingClient, RunResult } from './types.ts';

/**
 * Lifecycle of the workspace's Run / Grade actions:
 *   idle → running | grading → done | error | stopped, and back to running/grading from any settled state.
 * Only one action is in flight at a time; STOP ends a grade (its actor is stopped, which aborts the worker).
 */

export type WorkspaceResult =
  | { kind: 'run'; run: RunResult; at: number }
  | { kind: 'grade'; grade: GradeResult; code: string; at: number };

export interface WorkspaceContext {
  client: GradingClient;
  exerciseId: string;
  progress: GradeProgress | null;
  result: WorkspaceResult | null;
  error: string | null;
  /** Increments on each finished action so observers can react once per result. */
  generation: number;
}

export type WorkspaceEvent =
  | { type: 'RUN'; code: string; scenario: string; seed?: number }
  | { type: 'GRADE'; code: string; seeds?: number }
  | { type: 'STOP' }
  | { type: 'CLEAR' }
  | { type: 'GRADE.PROGRESS'; progress: GradeProgress }
  | { type: 'GRADE.DONE'; grade: GradeResult; code: string }
  | { type: 'GRADE.FAILED'; error: string };

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

const runActor = fromPromise<RunResult, { client: GradingClient; exerciseId: string; code: string; scenario: string; seed?: number }>(
  ({ input, signal }) => input.client.run(input.exerciseId, input.code, { scenario: input.scenario, seed: input.seed, signal }),
);

const gradeActor = fromCallback<WorkspaceEvent, { client: GradingClient; exerciseId: string; code: string; seeds?: number }>(
  ({ input, sendBack }) => {
    const controller = new AbortController();
    input.client
      .grade(input.exerciseId, input.code, {
        seeds: input.seeds,
        signal: controller.signal,
        onProgress: (progress) => {
          if (!controller.signal.aborted) sendBack({ type: 'GRADE.PROGRESS', progress });
        },
      })
      .then(
        (grade) => {
          if (!controller.signal.aborted) sendBack({ type: 'GRADE.DONE', grade, code: input.code });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) sendBack({ type: 'GRADE.FAILED', error: errorText(error) });
        },
      );
    return () => controller.abort();
  },
);

/** Transitions available whenever nothing is in flight. */
const SETTLED = {
  RUN: { target: 'running' },
  GRADE: { target: 'grading' },
  CLEAR: { target: 'idle' },
} as const;

export const workspaceMachine = setup({
  types: {
    context: {} as WorkspaceContext,
    events: {} as WorkspaceEvent,
    input: {} as { client: GradingClient; exerciseId: string },
  },
  actors: { runActor, gradeActor },
}).createMachine({
  id: 'workspace',
  context: ({ input }) => ({
    client: input.client,
    exerciseId: input.exerciseId,
    progress: null,
    result: null,
    error: null,
    generation: 0,
  }),
  initial: 'idle',
  states: {
    idle: { on: SETTLED },
    running: {
      entry: assign({ error: null, progress: null }),
      invoke: {
        src: 'runActor',
        input: ({ context, event }) => {
          const e = event as Extract<WorkspaceEvent, { type: 'RUN' }>;
          return { client: context.client, exerciseId: context.exerciseId, code: e.code, scenario: e.scenario, seed: e.seed };
        },
        onDone: {
          target: 'done',
          actions: assign({
            result: ({ event }) => ({ kind: 'run' as const, run: event.output, at: Date.now() }),
            generation: ({ context }) => context.generation + 1,
          }),
        },
        onError: {
          target: 'error',
          actions: assign({ error: ({ event }) => errorText(event.error), generation: ({ context }) => context.generation + 1 }),
        },
      },
      on: { STOP: 'stopped' },
    },
    grading: {
      entry: assign({ error: null, progress: null }),
      invoke: {
        src: 'gradeActor',
        input: ({ context, event }) => {
          const e = event as Extract<WorkspaceEvent, { type: 'GRADE' }>;
          return { client: context.client, exerciseId: context.exerciseId, code: e.code, seeds: e.seeds };
        },
      },
      on: {
        'GRADE.PROGRESS': { actions: assign({ progress: ({ event }) => event.progress }) },
        'GRADE.DONE': {
          target: 'done',
          actions: assign({
            result: ({ event }) => ({ kind: 'grade' as const, grade: event.grade, code: event.code, at: Date.now() }),
            generation: ({ context }) => context.generation + 1,
          }),
        },
        'GRADE.FAILED': {
          target: 'error',
          actions: assign({ error: ({ event }) => event.error, generation: ({ context }) => context.generation + 1 }),
        },
        STOP: 'stopped',
      },
    },
    done: { on: SETTLED },
    error: { on: SETTLED },
    stopped: { entry: assign({ progress: null }), on: SETTLED },
  },
});

export type WorkspaceActor = ActorRefFrom<typeof workspaceMachine>;

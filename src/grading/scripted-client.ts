/**
 * A provided client service that plays a script of calls at given virtual
 * times, optionally retrying each one, and records every attempt in its own
 * `results` table for the checks (written once, when the script is over). Written with the public ServiceContext API
 * only, like every exercise-provided service.
 *
 * Checks read the rows back with `scriptedResults(run, name)`: one row per
 * call label with the final reply and the list of attempts (when each started,
 * when it ended, what came back), so a property can judge both the outcome and
 * how fast each attempt was answered.
 */
import type { Json, Row, ServiceDefinition } from '../sim/types.ts';

export interface ScriptedCall {
  /** Unique within the script: the id of the call's results row. */
  label: string;
  to: string;
  method: string;
  payload: Json;
  /** Start no earlier than this virtual time (absolute ms); default: right after the previous step. */
  at?: number;
  /** Per attempt; default 1000 virtual ms. */
  timeoutMs?: number;
  /**
   * Repeat the same request after a failed attempt (timeout, error reply) or a
   * reply `on` accepts (default: none), pausing `pauseMs` (default 100), for as
   * long as the next attempt would start before `untilMs` (absolute).
   */
  retry?: { untilMs: number; pauseMs?: number; on?: (value: any) => boolean };
}

/** A step: one call, or calls started together (the next step waits for all of them). */
export type ScriptedStep = ScriptedCall | ScriptedCall[];

export interface ScriptedAttempt {
  startedAt: number;
  at: number;
  delivered: boolean;
  value: Json;
  error: string | null;
}

/** A results row: the last attempt's outcome at top level, every attempt in `attempts`. */
export interface ScriptedResult {
  id: string;
  seq: number;
  to: string;
  method: string;
  payload: Json;
  /** When the first attempt started. */
  startedAt: number;
  /** When the last attempt ended. */
  at: number;
  delivered: boolean;
  value: any;
  error: string | null;
  attempts: ScriptedAttempt[];
}

export const RESULTS_TABLE = 'results';

export function scriptedClient(name: string, steps: ScriptedStep[]): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable(RESULTS_TABLE);
      const done: Row[] = [];
      const attempt = async (c: ScriptedCall): Promise<ScriptedAttempt> => {
        const startedAt = ctx.now();
        try {
          const value = ((await ctx.call(c.to, c.method, c.payload, { timeoutMs: c.timeoutMs ?? 1000 })) ?? null) as Json;
          return { startedAt, at: ctx.now(), delivered: true, value, error: null };
        } catch (e) {
          const err = e as { name?: unknown; message?: unknown } | null;
          return { startedAt, at: ctx.now(), delivered: false, value: null, error: `${String(err?.name)}: ${String(err?.message)}` };
        }
      };
      const perform = async (c: ScriptedCall, seq: number): Promise<void> => {
        if (c.at !== undefined && c.at > ctx.now()) await ctx.sleep(c.at - ctx.now());
        const attempts: ScriptedAttempt[] = [];
        for (;;) {
          const a = await attempt(c);
          attempts.push(a);
          const again = !a.delivered || (c.retry?.on?.(a.value) ?? false);
          const pause = c.retry?.pauseMs ?? 100;
          if (!again || !c.retry || ctx.now() + pause >= c.retry.untilMs) break;
          await ctx.sleep(pause);
        }
        const last = attempts[attempts.length - 1]!;
        done.push({ ...last, id: c.label, seq, to: c.to, method: c.method, payload: c.payload, startedAt: attempts[0]!.startedAt, attempts });
      };
      /** All results in one commit at the end of the script (a run always plays its script to the end). */
      const record = async (): Promise<void> => {
        for (let i = 0; i < 20; i++) {
          try {
            await ctx.db.transaction((tx) => {
              for (const row of done) tx.put(RESULTS_TABLE, row);
            });
            return;
          } catch {
            await ctx.sleep(10);
          }
        }
      };
      void (async () => {
        let seq = 0;
        for (const step of steps) {
          const calls = Array.isArray(step) ? step : [step];
          await Promise.all(calls.map((c) => perform(c, seq++)));
        }
        await record();
      })().catch(() => undefined);
    },
  };
}

/** The results of a scripted client, by label. */
export function scriptedResults(rows: readonly Row[]): Map<string, ScriptedResult> {
  return new Map(rows.map((r) => [String(r.id), r as ScriptedResult]));
}

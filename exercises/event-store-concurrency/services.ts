/**
 * Exercise-provided services of "event-store-concurrency": a scripted client
 * (sequential steps, or groups of concurrent calls) and competing writers that
 * append to one stream with optimistic concurrency. Both record every reply in
 * their own `results` table for the checks.
 */
import type { Json, ServiceContext, ServiceDefinition } from '../../src/sim/types.ts';

export interface Call {
  /** Unique label: the results row id. */
  label: string;
  to: 'event-store' | 'orders';
  method: string;
  payload: Json;
  timeoutMs?: number;
}

/** A script step: one call, or an array of calls started at the same time. */
export type Step = Call | Call[];

async function perform(ctx: ServiceContext, c: Call, seq: number): Promise<void> {
  const startedAt = ctx.now();
  let row: { [k: string]: Json };
  try {
    const value = (await ctx.call(c.to, c.method, c.payload, { timeoutMs: c.timeoutMs ?? 1000 })) as Json;
    row = { id: c.label, seq, method: c.method, payload: c.payload, delivered: true, value: value ?? null, error: null, startedAt, at: ctx.now() };
  } catch (e) {
    const err = e as { name?: unknown; message?: unknown };
    row = { id: c.label, seq, method: c.method, payload: c.payload, delivered: false, value: null, error: `${String(err?.name)}: ${String(err?.message)}`, startedAt, at: ctx.now() };
  }
  for (let i = 0; i < 20; i++) {
    try {
      await ctx.db.put('results', row);
      return;
    } catch {
      await ctx.sleep(10);
    }
  }
}

function ticks(token: string, writer: string, round: number, n: number): Json[] {
  const out: Json[] = [];
  for (let i = 0; i < n; i++) out.push({ type: 'Tick', data: { token: n === 1 ? token : `${token}#${i}`, of: n, writer, round } });
  return out;
}

export function clientService(script: Step[], name = 'client', startDelayMs = 5): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable('results');
      void (async () => {
        await ctx.sleep(startDelayMs);
        let seq = 0;
        for (const step of script) {
          const calls = Array.isArray(step) ? step : [step];
          await Promise.all(calls.map((c) => perform(ctx, c, seq++)));
        }
      })().catch(() => undefined);
    },
  };
}

/**
 * A writer that appends `rounds` times to `streamId` (`eventsPerAppend` events per
 * append, default 1), each based on the version it just read; on a concurrency
 * error (or a lost reply) it re-reads and retries. Records every append reply:
 * { expectedVersion, token, ok, version }. Event i of an append carries
 * `token: "<token>#<i>"` and `of: <events in the append>`, so the checks can tell
 * whether an append was stored whole.
 */
export function writerService(name: string, streamId: string, rounds: number, eventsPerAppend = 1): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable('results');
      void (async () => {
        await ctx.sleep(3);
        for (let round = 1; round <= rounds; round++) {
          for (let attempt = 1; attempt <= 6; attempt++) {
            const token = `${name}:${round}:${attempt}`;
            let row: { [k: string]: Json } | null = null;
            try {
              const v = (await ctx.call('event-store', 'version', { aggregateId: streamId }, { timeoutMs: 300 })) as number;
              const r = (await ctx.call(
                'event-store',
                'append',
                { aggregateId: streamId, aggregateType: 'Ledger', expectedVersion: v, events: ticks(token, name, round, eventsPerAppend) },
                { timeoutMs: 300 },
              )) as { ok?: unknown; version?: unknown; error?: unknown } | null;
              row = { id: token, streamId, expectedVersion: v, token, ok: r?.ok === true, version: typeof r?.version === 'number' ? r.version : null, error: r?.ok === true ? null : String(r?.error ?? 'no reply'), at: ctx.now() };
            } catch (e) {
              row = { id: token, streamId, expectedVersion: null, token, ok: false, version: null, error: String((e as { name?: unknown })?.name ?? 'Error'), at: ctx.now() };
            }
            try {
              await ctx.db.put('results', row);
            } catch {
              // the writer's own bookkeeping: not a fault target
            }
            if (row.ok) break;
            await ctx.sleep(5 + Math.floor(ctx.random() * 20));
          }
          await ctx.sleep(Math.floor(ctx.random() * 10));
        }
      })().catch(() => undefined);
    },
  };
}

import { Simulation, generateSchedule, type ServiceContext } from '../src/sim/index.ts';

/**
 * Kernel benchmarks. Each figure is the median of several runs (machines are noisy).
 *  - sim.pingpong.events_per_sec: 100 pairs of services bounce a small message over a
 *    lossy, duplicating, reordering network until 2,000,000 deliveries; tracing on.
 *  - sim.pingpong_notrace.events_per_sec: the same with tracing off.
 *  - sim.saga.runs_per_sec: a 4-service saga-shaped workload under a random fault schedule.
 */
const PAIRS = 100;
const DELIVERIES = 2_000_000;

export async function pingpong(trace: boolean, deliveries = DELIVERIES, seed = 7): Promise<{ eventsPerSec: number; delivered: number; events: number }> {
  const sim = new Simulation({ seed, trace, network: { latency: { kind: 'uniform', min: 1, max: 5 }, loss: 0.01, duplicate: 0.01, reorder: 0.05 } });
  let delivered = 0;
  const perPair = deliveries / PAIRS;
  for (let i = 0; i < PAIRS; i++) {
    const a = `a${i}`;
    const b = `b${i}`;
    const bounce = (ctx: ServiceContext, peer: string) => (n: number) => {
      delivered++;
      if (delivered < deliveries) ctx.send(peer, 'ball', n + 1);
    };
    sim.addService({ name: b, start: (ctx) => ctx.on('ball', bounce(ctx, a)) });
    sim.addService({
      name: a,
      start(ctx) {
        ctx.on('ball', bounce(ctx, b));
        // A lost ball would end the rally: keep serving new ones, a few per pair.
        const serve = () => {
          if (delivered < deliveries) {
            ctx.send(b, 'ball', 0);
            ctx.setTimer(serve, perPair / 4);
          }
        };
        serve();
      },
    });
  }
  const t0 = performance.now();
  const r = await sim.runUntilQuiescent();
  const secs = (performance.now() - t0) / 1000;
  return { eventsPerSec: r.events / secs, delivered, events: r.events };
}

/** Orchestrator + 3 participants, one saga per run, random faults. */
export async function sagaRuns(runs: number): Promise<number> {
  const t0 = performance.now();
  for (let seed = 1; seed <= runs; seed++) {
    const sim = new Simulation({ seed, network: { loss: 0.02, duplicate: 0.02 }, maxTime: 5_000 });
    for (const name of ['inventory', 'payment', 'shipping']) {
      sim.addService({
        name,
        start(ctx) {
          ctx.db.createTable('ops');
          ctx.handle('do', async (p: { saga: string }) => {
            await ctx.db.put('ops', { id: p.saga, state: 'done' });
            return { ok: true };
          });
          ctx.handle('undo', async (p: { saga: string }) => {
            await ctx.db.put('ops', { id: p.saga, state: 'undone' });
            return { ok: true };
          });
        },
      });
    }
    sim.addService({
      name: 'orchestrator',
      async start(ctx) {
        const saga = 's1';
        const done: string[] = [];
        for (const step of ['inventory', 'payment', 'shipping']) {
          let ok = false;
          for (let attempt = 0; attempt < 3 && !ok; attempt++) {
            try {
              await ctx.call(step, 'do', { saga }, { timeoutMs: 50 });
              ok = true;
            } catch {
              await ctx.sleep(10);
            }
          }
          if (!ok) {
            for (const s of done.reverse()) await ctx.call(s, 'undo', { saga }, { timeoutMs: 50 }).catch(() => undefined);
            return;
          }
          done.push(step);
        }
      },
    });
    sim.applySchedule(generateSchedule(seed, { services: ['inventory', 'payment', 'shipping'], horizonMs: 100, episodes: 2 }));
    await sim.runUntilQuiescent();
  }
  return runs / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchSim(repeats = 3): Promise<void> {
  await pingpong(true, 200_000); // warm-up
  const traced: number[] = [];
  const untraced: number[] = [];
  for (let i = 0; i < repeats; i++) {
    traced.push((await pingpong(true)).eventsPerSec);
    untraced.push((await pingpong(false)).eventsPerSec);
  }
  console.log(`BENCH sim.pingpong.events_per_sec ${Math.round(median(traced))} events/s`);
  console.log(`BENCH sim.pingpong_notrace.events_per_sec ${Math.round(median(untraced))} events/s`);
  await sagaRuns(200);
  const sagas: number[] = [];
  for (let i = 0; i < repeats; i++) sagas.push(await sagaRuns(1000));
  console.log(`BENCH sim.saga.runs_per_sec ${Math.round(median(sagas))} runs/s`);
}

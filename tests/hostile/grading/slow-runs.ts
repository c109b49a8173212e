// exercise: saga-orchestration-hotel
// seeds: 200
// budget-ms: 4000
// max-score: 50
// message: total time budget \(4 s\) ran out
// Every run burns ~300 ms of real time in short synchronous bursts (each under
// the loop guard's limit, each under the per-run clock): once a grade took 909 s
// because the wall clock restarted with every progress message. The total
// budget is never restarted: the checks it leaves unevaluated fail naming it.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  ctx.handle('startBooking', async () => {
    let x = 0;
    for (let burst = 0; burst < 30; burst++) {
      for (let i = 0; i < 900_000; i++) x = (x * 31 + i) % 1_000_003;
      await ctx.sleep(1);
    }
    return { accepted: x >= 0 };
  });
}

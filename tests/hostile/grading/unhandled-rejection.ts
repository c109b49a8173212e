// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 10
// message: Unhandled promise rejection in background work.*background step failed
// Background work started with `void` that rejects: once silently dropped. Now
// the rejection is attributed to the run it happened in and shown in failing
// checks' messages ("also seen").
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  async function run(): Promise<void> {
    await ctx.sleep(5);
    throw new Error('background step failed');
  }
  ctx.handle('startBooking', () => {
    void run();
    return { accepted: true };
  });
}

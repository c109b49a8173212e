// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 10
// max-report-kb: 1500
// Each run sends 100 messages of 30 KB each, one per 20 ms (3 MB: under the per-run cap; in
// payloads, since log lines are clipped by the kernel), so every failing
// check's trace slice is full of huge strings. Once the report itself grew
// past what postMessage could carry and the CLI aborted (exit 134); now the
// judge clips every learner string in a report.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  ctx.handle('startBooking', async () => {
    // Spaced out, so they are the last events of the run: the tail a failing check's slice shows.
    void (async () => {
      for (let i = 0; i < 100; i++) {
        await ctx.sleep(20);
        ctx.send('hotel', 'noise', { pad: String(i).padEnd(30 * 1024, 'y') });
      }
    })();
    return { accepted: true };
  });
}

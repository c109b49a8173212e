// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 10
// max-report-kb: 1500
// Each run logs 100 lines of 30 KB (3 MB: under the per-run cap), so every
// failing check's trace slice is full of huge strings. Once the report itself
// grew past what postMessage could carry and the CLI aborted (exit 134); now
// the judge clips every learner string in a report.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  ctx.handle('startBooking', async () => {
    for (let i = 0; i < 100; i++) ctx.log.info(String(i).padEnd(30 * 1024, 'y'));
    return { accepted: true };
  });
}

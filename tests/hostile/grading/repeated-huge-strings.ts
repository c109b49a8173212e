// exercise: saga-orchestration-hotel
// seeds: 3
// max-score: 10
// message: more than 4 MB of trace and state
// max-rss-mb: 600
// One 1 MB string, sent in 2000 message payloads: cheap in the worker (the
// kernel's copies of the payloads share the one immutable string) but 2 GB
// once serialized or structured-cloned — which once took
// the main thread to 9.6 GB RSS. Now the record's size is charged while it is
// copied out, and the run stops at its cap.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

const big = 'z'.repeat(1024 * 1024);

export function orchestrator(ctx: ServiceContext): void {
  ctx.handle('startBooking', async () => {
    for (let i = 0; i < 2000; i++) ctx.send('hotel', 'noise', { big });
    return { accepted: true };
  });
}

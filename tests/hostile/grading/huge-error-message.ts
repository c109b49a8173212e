// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 10
// message: Also seen: A handler threw \(orchestrator\): request "startBooking": Error: x{100}
// The first request handler throws an Error whose message is 64 MB: once an
// "internal error" exit of the CLI. Now it is a graded failure whose message
// shows the error clipped.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  let thrown = false;
  ctx.handle('startBooking', () => {
    if (!thrown) {
      thrown = true;
      throw new Error('x'.repeat(64 * 1024 * 1024));
    }
    return { accepted: true };
  });
}

// exercise: saga-orchestration-hotel
// seeds: 3
// run-wall-clock-ms: 1500
// max-score: 0
// message: did not finish within 1.5 s of real time
// A synchronous hang the loop guard cannot see (catastrophic regex
// backtracking) in the first scenario: the sandbox stops the worker, and the
// grade is still a report — that run's checks failed, the rest not evaluated.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.handle('startBooking', () => {
    /^(a+)+$/.test('a'.repeat(40) + 'b');
    return { accepted: true };
  });
}

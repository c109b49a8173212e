// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 25
// message: orchestrator\.sagas says \\x1b\[2K\\r
// message: Also seen: .*\\x1b\[2J
// Status strings and Error#name carrying terminal control sequences: once they
// reached the CLI table raw, and "\x1b[2K\r" repainted the line as a fake
// "score 100/100". The judge escapes control characters in every report text.
import type { BookingRequest, ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  ctx.handle('startBooking', async (req: BookingRequest) => {
    await ctx.call('booking', 'createBooking', { sagaId: req.sagaId, guest: req.guest });
    await ctx.call('booking', 'confirmBooking', { sagaId: req.sagaId });
    await ctx.db.insert('sagas', { id: req.sagaId, status: '\u001b[2K\r\u001b[32m✓ score 100/100\u001b[0m\u202e', updatedAt: ctx.now() });
    ctx.setTimer(() => {
      const e = new Error('\u001b[1A\rfake');
      e.name = '\u001b[2J\u001b[H\rscore 100/100\b\b';
      throw e;
    }, 1);
    return { accepted: true };
  });
}

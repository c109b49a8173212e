// Orchestrated saga: hotel + optional car + payment.
// Read the statement first. Run it, look at the trace, then make the checks pass.
import type { BookingRequest, SagaRow, ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  // The saga's state lives in YOUR database: it survives crashes, memory does not.
  ctx.db.createTable('sagas');

  async function runSaga(saga: SagaRow): Promise<void> {
    const req = saga.request;

    // Step 1: create the booking.
    const booking = await ctx.call('booking', 'createBooking', { sagaId: req.sagaId, guest: req.guest });
    ctx.log.info('createBooking ->', booking);

    // TODO step 2: reserve a room   — ctx.call('hotel', 'reserveRoom', { sagaId, hotelId, checkIn, checkOut })
    // TODO step 3: reserve the car  — only if req.car !== null: ctx.call('car', 'reserveCar', { sagaId, carType, pickupDate })
    // TODO step 4: charge the card  — ctx.call('payment', 'charge', { chargeId, sagaId, card, amount })
    // TODO step 5: confirm hotel, car and booking (confirmReservation / confirmBooking)
    // TODO on { ok: false } or when retries are exhausted: compensate in reverse order
    //      (refund → cancel car → cancel hotel → cancel booking) and finish as COMPENSATED.
    // TODO persist progress in `sagas` after every step; resume unfinished sagas after a restart.

    await ctx.db.update('sagas', saga.id, { status: 'COMPLETED', updatedAt: ctx.now() });
  }

  ctx.handle('startBooking', async (req: BookingRequest) => {
    if (!ctx.db.get('sagas', req.sagaId)) {
      await ctx.db.insert('sagas', { id: req.sagaId, status: 'STARTED', step: 'BOOKING', request: req, failure: null, updatedAt: ctx.now() });
    }
    const saga = ctx.db.get<SagaRow>('sagas', req.sagaId)!;
    runSaga(saga).catch((e) => ctx.log.error('saga failed', String(e)));
    return { accepted: true };
  });
}

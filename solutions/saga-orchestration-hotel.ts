// Reference solution: orchestrated hotel booking saga (course chapter 3).
import type { BookingRequest, ServiceContext, SagaRow } from '@mdl/saga-orchestration-hotel';

// Retry budget of the statement: at least 5 attempts per forward step, given up within 2 s —
// 5 × (200 ms timeout + 100 ms pause) ≈ 1.5 s.
const FORWARD_ATTEMPTS = 5;
const CALL_TIMEOUT_MS = 200;
const RETRY_PAUSE_MS = 100;

type Step = SagaRow['step'];

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  const running = new Set<string>();

  /** Persists the saga; a failed commit (db-write-failure) is retried until it sticks. */
  async function save(saga: SagaRow): Promise<void> {
    for (;;) {
      try {
        await ctx.db.put('sagas', { ...saga, updatedAt: ctx.now() });
        return;
      } catch {
        await ctx.sleep(RETRY_PAUSE_MS);
      }
    }
  }

  /** Forward step: bounded retries of technical failures; returns the reply or null when given up. */
  async function attempt(to: string, method: string, payload: Record<string, unknown>): Promise<{ ok: boolean; reason?: string } | null> {
    for (let i = 0; i < FORWARD_ATTEMPTS; i++) {
      try {
        return await ctx.call(to, method, payload as never, { timeoutMs: CALL_TIMEOUT_MS });
      } catch {
        await ctx.sleep(RETRY_PAUSE_MS);
      }
    }
    return null;
  }

  /**
   * Until the participant answers (compensations, and the pivot): a thrown error is an
   * unknown outcome, so the same request is repeated; any reply — even { ok: false }, which
   * a retry would not change — is the answer.
   */
  async function settle(to: string, method: string, payload: Record<string, unknown>): Promise<{ ok: boolean; reason?: string }> {
    for (let pause = RETRY_PAUSE_MS; ; pause = Math.min(pause * 2, 800)) {
      try {
        const r = await ctx.call(to, method, payload as never, { timeoutMs: CALL_TIMEOUT_MS });
        if (r && typeof r.ok === 'boolean') return r;
      } catch {
        // unknown outcome: the same request is safe to repeat
      }
      await ctx.sleep(pause);
    }
  }

  const FORWARD: Step[] = ['BOOKING', 'HOTEL', 'CAR', 'PAYMENT', 'CONFIRM_HOTEL', 'CONFIRM_CAR', 'CONFIRM_BOOKING'];

  async function forward(saga: SagaRow): Promise<boolean> {
    const req = saga.request;
    const id = saga.id;
    for (let i = FORWARD.indexOf(saga.step); i < FORWARD.length; i++) {
      const step = FORWARD[i]!;
      if (saga.step !== step) {
        saga.step = step;
        await save(saga);
      }
      let r: { ok: boolean; reason?: string } | null;
      switch (step) {
        case 'BOOKING':
          r = await attempt('booking', 'createBooking', { sagaId: id, guest: req.guest });
          break;
        case 'HOTEL':
          r = await attempt('hotel', 'reserveRoom', { sagaId: id, hotelId: req.hotelId, checkIn: req.checkIn, checkOut: req.checkOut });
          break;
        case 'CAR':
          r = req.car ? await attempt('car', 'reserveCar', { sagaId: id, carType: req.car.carType, pickupDate: req.car.pickupDate }) : { ok: true };
          break;
        case 'PAYMENT':
          r = await attempt('payment', 'charge', { chargeId: `${id}:charge`, sagaId: id, card: req.card, amount: req.amount });
          break;
        case 'CONFIRM_HOTEL':
          r = await attempt('hotel', 'confirmReservation', { sagaId: id });
          break;
        case 'CONFIRM_CAR':
          r = req.car ? await attempt('car', 'confirmReservation', { sagaId: id }) : { ok: true };
          break;
        default:
          // The pivot: once sent, confirmBooking may have succeeded, so the saga can no longer
          // compensate. Retry it until it answers.
          r = await settle('booking', 'confirmBooking', { sagaId: id });
          break;
      }
      if (!r || !r.ok) {
        saga.failure = r ? (r.reason ?? 'REJECTED') : `NO_ANSWER_${step}`;
        return false;
      }
    }
    return true;
  }

  async function compensate(saga: SagaRow): Promise<void> {
    const id = saga.id;
    // Everything at or before the step that failed may have happened: undo it, newest first.
    const reached = FORWARD.indexOf(saga.step);
    // A refused compensation ({ ok: false }) is recorded, not retried: only cancelBooking refuses,
    // after the pivot, which this saga never compensates.
    const undo = async (to: string, method: string, payload: Record<string, unknown>) => {
      const r = await settle(to, method, payload);
      if (!r.ok) saga.failure = `${saga.failure ?? ''}; ${method} refused: ${r.reason ?? 'REJECTED'}`;
    };
    if (reached >= FORWARD.indexOf('PAYMENT')) await undo('payment', 'refund', { refundId: `${id}:refund`, chargeId: `${id}:charge` });
    if (saga.request.car && reached >= FORWARD.indexOf('CAR')) await undo('car', 'cancelReservation', { sagaId: id });
    if (reached >= FORWARD.indexOf('HOTEL')) await undo('hotel', 'cancelReservation', { sagaId: id });
    await undo('booking', 'cancelBooking', { sagaId: id });
  }

  async function run(sagaId: string): Promise<void> {
    if (running.has(sagaId)) return;
    running.add(sagaId);
    try {
      const saga = ctx.db.get<SagaRow>('sagas', sagaId);
      if (!saga || saga.status === 'COMPLETED' || saga.status === 'COMPENSATED') return;
      if (saga.status === 'STARTED') {
        if (await forward(saga)) {
          saga.status = 'COMPLETED';
          await save(saga);
          return;
        }
        saga.status = 'COMPENSATING';
        await save(saga);
      }
      await compensate(saga);
      saga.status = 'COMPENSATED';
      await save(saga);
    } finally {
      running.delete(sagaId);
    }
  }

  ctx.handle('startBooking', async (req: BookingRequest) => {
    if (!ctx.db.get('sagas', req.sagaId)) {
      await ctx.db.insert('sagas', { id: req.sagaId, status: 'STARTED', step: 'BOOKING', request: req as never, failure: null, updatedAt: ctx.now() });
    }
    void run(req.sagaId);
    return { accepted: true };
  });

  ctx.handle('getBooking', (p: { sagaId: string }) => ctx.db.get('sagas', p.sagaId) ?? null);

  // After a restart: resume every unfinished saga from its persisted step.
  for (const s of ctx.db.scan<SagaRow>('sagas', (r) => r.status !== 'COMPLETED' && r.status !== 'COMPENSATED')) void run(s.id);
}

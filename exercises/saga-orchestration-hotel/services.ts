/**
 * Exercise-provided services of the hotel saga: booking, hotel, car, payment and
 * the client that submits bookings. They use only the public ServiceContext API,
 * exactly like the learner's orchestrator.
 *
 * Every participant operation is idempotent per saga (keyed by sagaId, or by the
 * idempotency key the orchestrator passes) and survives "cancel before the
 * request arrived": a cancel of an unknown saga leaves a CANCELLED tombstone that
 * refuses the late request. Payment deduplicates only by the keys it is given:
 * choosing stable keys is the orchestrator's job.
 */
import type { Json, Row, ServiceContext, ServiceDefinition } from '../../src/sim/types.ts';

import type { BookingRequest } from './types.ts';

export type { BookingRequest, CarRequest } from './types.ts';

export interface Submission {
  /** Virtual ms after the client starts. */
  at: number;
  request: BookingRequest;
}

export interface HotelWorld {
  /** hotelId → number of rooms. */
  hotels: Record<string, number>;
  /** carType → number of cars. */
  cars: Record<string, number>;
  /** Methods whose first `times` replies are delayed by `delayMs` after the work is committed. */
  slow?: Array<{ service: 'booking' | 'hotel' | 'car' | 'payment'; method: string; delayMs: number; times: number }>;
  submissions: Submission[];
}

/** Card that the payment provider declines. */
export const DECLINED_CARD = 'card-declined';
/** Car type whose confirmation always fails (the car failed its inspection). */
export const LEMON_CAR = 'lemon';

function slowness(world: HotelWorld, service: string) {
  const rules = (world.slow ?? []).filter((s) => s.service === service).map((s) => ({ ...s, left: s.times }));
  return async (ctx: ServiceContext, method: string) => {
    const rule = rules.find((r) => r.method === method && r.left > 0);
    if (!rule) return;
    rule.left--;
    await ctx.sleep(rule.delayMs);
  };
}

function str(p: unknown, field: string): string {
  const v = p !== null && typeof p === 'object' ? (p as Record<string, unknown>)[field] : undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`field "${field}" must be a non-empty string`);
  return v;
}

export function bookingService(world: HotelWorld): ServiceDefinition {
  return {
    name: 'booking',
    start(ctx) {
      ctx.db.createTable('bookings');
      const delay = slowness(world, 'booking');
      ctx.handle('createBooking', async (p) => {
        const sagaId = str(p, 'sagaId');
        const r = await ctx.db.transaction((tx) => {
          const b = tx.get('bookings', sagaId);
          if (b) return b.status === 'CANCELLED' ? { ok: false, reason: 'CANCELLED' } : { ok: true, bookingId: sagaId };
          tx.insert('bookings', { id: sagaId, guest: String(p.guest ?? ''), status: 'CREATED', createdAt: ctx.now(), updatedAt: ctx.now() });
          return { ok: true, bookingId: sagaId };
        });
        await delay(ctx, 'createBooking');
        return r;
      });
      ctx.handle('confirmBooking', async (p) => {
        const sagaId = str(p, 'sagaId');
        const r = await ctx.db.transaction((tx) => {
          const b = tx.get('bookings', sagaId);
          if (!b) return { ok: false, reason: 'NOT_FOUND' };
          if (b.status === 'CANCELLED') return { ok: false, reason: 'CANCELLED' };
          if (b.status !== 'CONFIRMED') tx.update('bookings', sagaId, { status: 'CONFIRMED', updatedAt: ctx.now() });
          return { ok: true };
        });
        await delay(ctx, 'confirmBooking');
        return r;
      });
      ctx.handle('cancelBooking', async (p) => {
        const sagaId = str(p, 'sagaId');
        const r = await ctx.db.transaction((tx) => {
          const b = tx.get('bookings', sagaId);
          if (!b) {
            tx.insert('bookings', { id: sagaId, guest: '', status: 'CANCELLED', tombstone: true, createdAt: ctx.now(), updatedAt: ctx.now(), cancelledAt: ctx.now() });
            return { ok: true };
          }
          if (b.status === 'CONFIRMED') return { ok: false, reason: 'CONFIRMED' };
          if (b.status !== 'CANCELLED') tx.update('bookings', sagaId, { status: 'CANCELLED', updatedAt: ctx.now(), cancelledAt: ctx.now() });
          return { ok: true };
        });
        await delay(ctx, 'cancelBooking');
        return r;
      });
      ctx.handle('getBooking', (p) => (ctx.db.get('bookings', str(p, 'sagaId')) ?? null) as Json);
    },
  };
}

/** Hotel and car share one shape: a capacity per resource and reservations keyed by sagaId. */
function reservationService(
  world: HotelWorld,
  name: 'hotel' | 'car',
  capacity: Record<string, number>,
  methods: { reserve: string; confirm: string; cancel: string },
  resourceField: 'hotelId' | 'carType',
): ServiceDefinition {
  return {
    name,
    start(ctx) {
      ctx.db.createTable('reservations');
      const delay = slowness(world, name);
      ctx.handle(methods.reserve, async (p) => {
        const sagaId = str(p, 'sagaId');
        const resource = str(p, resourceField);
        const r = await ctx.db.transaction((tx) => {
          const existing = tx.get('reservations', sagaId);
          if (existing) return existing.status === 'CANCELLED' ? { ok: false, reason: 'CANCELLED' } : { ok: true, reservationId: sagaId };
          const taken = tx.scan('reservations', (row: Row) => row[resourceField] === resource && row.status !== 'CANCELLED').length;
          if (taken >= (capacity[resource] ?? 0)) return { ok: false, reason: name === 'hotel' ? 'NO_ROOMS' : 'NO_CARS' };
          tx.insert('reservations', { id: sagaId, [resourceField]: resource, status: 'HELD', createdAt: ctx.now(), updatedAt: ctx.now() });
          return { ok: true, reservationId: sagaId };
        });
        await delay(ctx, methods.reserve);
        return r;
      });
      ctx.handle(methods.confirm, async (p) => {
        const sagaId = str(p, 'sagaId');
        const r = await ctx.db.transaction((tx) => {
          const res = tx.get('reservations', sagaId);
          if (!res) return { ok: false, reason: 'NOT_FOUND' };
          if (res.status === 'CANCELLED') return { ok: false, reason: 'CANCELLED' };
          if (name === 'car' && res.carType === LEMON_CAR) return { ok: false, reason: 'FAILED_INSPECTION' };
          if (res.status !== 'CONFIRMED') tx.update('reservations', sagaId, { status: 'CONFIRMED', updatedAt: ctx.now() });
          return { ok: true };
        });
        await delay(ctx, methods.confirm);
        return r;
      });
      ctx.handle(methods.cancel, async (p) => {
        const sagaId = str(p, 'sagaId');
        const r = await ctx.db.transaction((tx) => {
          const res = tx.get('reservations', sagaId);
          if (!res) {
            tx.insert('reservations', { id: sagaId, [resourceField]: '', status: 'CANCELLED', tombstone: true, createdAt: ctx.now(), updatedAt: ctx.now(), cancelledAt: ctx.now() });
          } else if (res.status !== 'CANCELLED') {
            tx.update('reservations', sagaId, { status: 'CANCELLED', updatedAt: ctx.now(), cancelledAt: ctx.now() });
          }
          return { ok: true };
        });
        await delay(ctx, methods.cancel);
        return r;
      });
    },
  };
}

export function hotelService(world: HotelWorld): ServiceDefinition {
  return reservationService(world, 'hotel', world.hotels, { reserve: 'reserveRoom', confirm: 'confirmReservation', cancel: 'cancelReservation' }, 'hotelId');
}

export function carService(world: HotelWorld): ServiceDefinition {
  return reservationService(world, 'car', world.cars, { reserve: 'reserveCar', confirm: 'confirmReservation', cancel: 'cancelReservation' }, 'carType');
}

/**
 * Payment: `charge {chargeId, sagaId, card, amount}` and `refund {refundId, chargeId}`.
 * Deduplicates by chargeId and refundId only. A refund of an unknown charge voids
 * the chargeId so that a late charge with it is refused. Every movement of money
 * is also appended to `ledger`; nothing is ever deleted.
 */
export function paymentService(world: HotelWorld): ServiceDefinition {
  return {
    name: 'payment',
    start(ctx) {
      ctx.db.createTable('charges');
      ctx.db.createTable('refunds');
      ctx.db.createTable('voided');
      ctx.db.createTable('ledger');
      const delay = slowness(world, 'payment');
      ctx.handle('charge', async (p) => {
        const chargeId = str(p, 'chargeId');
        const sagaId = str(p, 'sagaId');
        const card = str(p, 'card');
        const amount = Number(p.amount);
        if (!(amount > 0)) throw new Error('amount must be a positive number');
        const r = await ctx.db.transaction((tx) => {
          if (tx.get('charges', chargeId)) return { ok: true, paymentId: chargeId };
          if (tx.get('voided', chargeId)) return { ok: false, reason: 'VOIDED' };
          if (card === DECLINED_CARD) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
          tx.insert('charges', { id: chargeId, sagaId, card, amount, at: ctx.now() });
          tx.insert('ledger', { id: `charge:${chargeId}`, type: 'charge', chargeId, sagaId, amount, at: ctx.now() });
          return { ok: true, paymentId: chargeId };
        });
        await delay(ctx, 'charge');
        return r;
      });
      ctx.handle('refund', async (p) => {
        const refundId = str(p, 'refundId');
        const chargeId = str(p, 'chargeId');
        const r = await ctx.db.transaction((tx) => {
          if (tx.get('refunds', refundId)) return { ok: true };
          const charge = tx.get('charges', chargeId);
          if (!charge) {
            if (!tx.get('voided', chargeId)) tx.insert('voided', { id: chargeId, at: ctx.now() });
            return { ok: true, refunded: 0 };
          }
          tx.insert('refunds', { id: refundId, chargeId, sagaId: charge.sagaId as string, amount: charge.amount as number, at: ctx.now() });
          tx.insert('ledger', { id: `refund:${refundId}`, type: 'refund', chargeId, sagaId: charge.sagaId as string, amount: -(charge.amount as number), at: ctx.now() });
          return { ok: true, refunded: charge.amount as number };
        });
        await delay(ctx, 'refund');
        return r;
      });
    },
  };
}

/** The workload: submits each booking to the orchestrator, retrying until it is accepted. */
export function clientService(world: HotelWorld): ServiceDefinition {
  return {
    name: 'client',
    start(ctx) {
      ctx.db.createTable('submissions');
      for (const sub of world.submissions) {
        void (async () => {
          if (sub.at > 0) await ctx.sleep(sub.at);
          for (let attempt = 1; attempt <= 60; attempt++) {
            try {
              const r = await ctx.call('orchestrator', 'startBooking', sub.request, { timeoutMs: 300 });
              if (r && typeof r === 'object' && (r as { accepted?: unknown }).accepted === true) {
                await ctx.db.put('submissions', { id: sub.request.sagaId, acceptedAt: ctx.now(), attempts: attempt });
                return;
              }
            } catch {
              // the orchestrator is down, partitioned or threw: try again
            }
            await ctx.sleep(200);
          }
          await ctx.db.put('submissions', { id: sub.request.sagaId, acceptedAt: null, attempts: 60 });
        })().catch(() => undefined);
      }
    },
  };
}

export function worldServices(world: HotelWorld): ServiceDefinition[] {
  return [bookingService(world), hotelService(world), carService(world), paymentService(world), clientService(world)];
}

import { describe, expect, it } from 'vitest';
import { grade } from './helpers.ts';

/**
 * saga-choreography-order prints values the learner's services wrote (statuses, tracking numbers,
 * ledger types and amounts, stock, event fields, topic names): huge ones must come out clipped.
 */
const HUGE = 'x'.repeat(1 << 20);
const hostile = `
import type { ServiceContext } from '@mdl/saga-choreography-order';
const HUGE = 'x'.repeat(1 << 20);
export function order(ctx: ServiceContext): void {
  ctx.db.createTable('orders');
  ctx.handle('placeOrder', async (r: any) => {
    await ctx.db.put('orders', { id: r.orderId, status: HUGE, trackingNumber: HUGE });
    await ctx.publish(HUGE.slice(0, 5000), { eventId: HUGE, orderId: r.orderId, correlationId: HUGE, causationId: null });
    await ctx.publish('OrderCreated', { ...r, eventId: 'e-' + r.orderId, correlationId: r.orderId, causationId: null });
    return { accepted: true };
  });
}
export function payment(ctx: ServiceContext): void {
  ctx.db.createTable('payments');
  ctx.subscribe('OrderCreated', async (e: any) => {
    await ctx.db.put('payments', { id: 'a-' + e.orderId, orderId: e.orderId, type: 'CHARGE', amount: HUGE });
    await ctx.db.put('payments', { id: 'b-' + e.orderId, orderId: e.orderId, type: 'REFUND', amount: HUGE });
    await ctx.db.put('cards', { id: e.card, balance: HUGE });
    await ctx.publish('PaymentSucceeded', { eventId: HUGE.slice(0, 9000), orderId: e.orderId, correlationId: e.orderId, causationId: HUGE });
  });
}
export function inventory(ctx: ServiceContext): void {
  ctx.subscribe('PaymentSucceeded', async (e: any) => {
    await ctx.db.put('stock', { id: 'product-a', name: HUGE, available: HUGE });
  });
}
`;

describe('saga-choreography-order: learner values in grader messages', () => {
  it('are clipped, whatever their size', async () => {
    const r = await grade('saga-choreography-order', hostile, { seeds: 3 });
    expect(r.score).toBeLessThan(r.maxScore);
    const failed = r.checks.filter((c) => !c.passed);
    expect(failed.length).toBeGreaterThan(5);
    for (const c of failed) {
      // The grading core may append what else it saw ("Also seen: …", "Замечено: …"): bounding that is the core's job.
      for (const text of [c.message!.en.split(' Also seen: ')[0]!, c.message!.ru.split(' Замечено: ')[0]!]) {
        expect(text.length, `${c.id}: ${text.slice(0, 200)}`).toBeLessThan(3000);
        expect(text).not.toContain(HUGE.slice(0, 200));
      }
    }
  }, 120_000);
});

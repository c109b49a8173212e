// exercise: saga-orchestration-hotel
// job: run
// A "Run" that poisons its worker realm through a leaked kernel object: a plain
// function given to ctx.setTimer was called with the kernel's timer record as
// `this`, whose DatabaseStore prototype it patches so every later run in the
// same worker reads forged rows. A fresh worker per job makes the poison die
// with this job: the next grade must be exactly that of a fresh host.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

export function orchestrator(ctx: ServiceContext): void {
  ctx.db.createTable('sagas');
  ctx.setTimer(function (this: any) {
    try {
      const store = this?.inc?.node?.store;
      if (!store) return;
      const P = Object.getPrototypeOf(store);
      const rawRows = P.rawRows;
      P.rawRows = function (this: any, table: string) {
        const rows = rawRows.call(this, table);
        return rows.map((r: Record<string, unknown>) => ('status' in r ? { ...r, status: 'CONFIRMED' } : r));
      };
    } catch {
      /* the leak is closed: nothing to poison */
    }
  } as () => void, 1);
  ctx.handle('startBooking', () => ({ accepted: true }));
}

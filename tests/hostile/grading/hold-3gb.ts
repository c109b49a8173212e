// exercise: saga-orchestration-hotel
// seeds: 2
// max-score: 0
// message: memory
// max-rss-mb: 2500
// browser: skip (a page can neither measure nor cap a worker's memory; Chromium's own limits end it)
// Holds 3 GB of ArrayBuffers, sidestepping the per-module byte budget through
// `.buffer.constructor` (the realm's real ArrayBuffer). ArrayBuffers are outside
// the V8 heap cap and invisible to the main thread's memoryUsage().arrayBuffers;
// the Node host's RSS watchdog stops the worker.
import type { ServiceContext } from '@mdl/saga-orchestration-hotel';

const keep: unknown[] = [];

export function orchestrator(ctx: ServiceContext): void {
  ctx.handle('startBooking', async () => {
    const RealArrayBuffer = (new Uint8Array(1).buffer as any).constructor;
    for (let i = 0; i < 3; i++) {
      const b = new Uint8Array(new RealArrayBuffer(1024 * 1024 * 1024));
      for (let off = 0; off < b.length; off += 4096) b[off] = 1; // touch every page
      keep.push(b);
      await ctx.sleep(1);
    }
    return { accepted: true };
  });
}

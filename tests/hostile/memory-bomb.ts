// expect: memory
// browser-expect: timeout|memory|crashed
// message: memory|памяти
// Heap growth: ~8 MB per iteration until the worker's heap cap stops it (Node);
// browsers give workers no heap cap we can set, so there the wall clock (or a worker crash) ends it.
const hoard: number[][] = [];
export function service(ctx: any) {
  ctx.handle('ping', () => {
    for (let i = 0; i < 1_000_000; i++) hoard.push(new Array(1_000_000).fill(i));
    return hoard.length;
  });
}

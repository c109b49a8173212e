// expect: memory
// message: memory|памяти
// Heap growth: ~8 MB per iteration until the worker's heap cap stops it.
const hoard: number[][] = [];
export function service(ctx: any) {
  ctx.handle('ping', () => {
    for (let i = 0; i < 1_000_000; i++) hoard.push(new Array(1_000_000).fill(i));
    return hoard.length;
  });
}

// expect: error
// message: Memory limit|Лимит памяти
// line: 7
// One 1 GB ArrayBuffer: outside the V8 heap, so the sandbox's byte budget must refuse it.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const big = new Uint8Array(1024 * 1024 * 1024);
    big.fill(1);
    return big.length;
  });
}

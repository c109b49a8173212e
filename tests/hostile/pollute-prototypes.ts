// expect: error
// message: not extensible|read only|read-only|Cannot
// line: 5
export function service(ctx: any) {
  (Object.prototype as any).polluted = true;
  (Array.prototype as any).push = () => 0;
  ctx.handle('ping', () => ({} as any).polluted);
}

// expect: error
// message: read only|read-only|not extensible|Cannot
// line: 5
export function service(ctx: any) {
  ctx.call = async () => 'patched';
  ctx.db.transaction = async () => 'patched';
  ctx.handle('ping', () => 'unreachable');
}

// expect: error
// message: fetch is not defined|not a function|not defined
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    const g = globalThis as any;
    if (typeof g.XMLHttpRequest !== 'undefined' || typeof g.WebSocket !== 'undefined' || typeof g.importScripts !== 'undefined') {
      return 'network primitives visible';
    }
    const r = await fetch('https://example.com/');
    return r.status;
  });
}

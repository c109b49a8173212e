// expect: error
// message: not defined|undefined
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const g = globalThis as any;
    const found = [typeof g.localStorage, typeof g.indexedDB, typeof g.document, typeof g.sessionStorage];
    if (found.some((t) => t !== 'undefined')) return found; // must not happen
    return localStorage.getItem('x') ?? document.cookie;
  });
}

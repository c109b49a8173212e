// expect: error
// message: contained
// The source text of host functions (String(ctx.call), String(Date), ...) is
// the host bundle's code, which differs between the Node worker and the
// browser's minified one: learner code could tell the CLI from the browser
// and fold that into its behaviour. Every host function must print as native.
const moduleArgs: unknown[] = Array.from(arguments);
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const own = (o: any) => Object.getOwnPropertyNames(o).map((k) => Object.getOwnPropertyDescriptor(o, k)!);
    const fns: [string, unknown][] = [];
    const add = (path: string, o: any) => {
      if (typeof o === 'function') fns.push([path, o]);
      if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return;
      for (const d of own(o)) {
        if (typeof d.value === 'function') fns.push([path, d.value]);
        if (typeof d.get === 'function') fns.push([`${path} getter`, d.get]);
      }
    };
    for (const [path, o] of [['ctx', ctx], ['ctx.db', ctx.db], ['ctx.log', ctx.log], ['Date', Date], ['Date.prototype', Date.prototype],
      ['Math', Math], ['crypto', crypto], ['performance', performance], ['console', console], ['Uint8Array', Uint8Array], ['ArrayBuffer', ArrayBuffer]] as const) add(path, o);
    // (exports, module, require, loop guard, globals…): the first two are the learner's own objects.
    for (const [i, a] of moduleArgs.entries()) if (i >= 2) add(`module argument ${i}`, a);
    for (const f of [setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, require]) add('global', f);
    const leaks = fns.filter(([, f]) => !/^function [\w$]*\(\) \{ \[native code\] \}$/.test(Function.prototype.toString.call(f)));
    if (leaks.length > 0) return `ESCAPED: ${leaks[0]![0]}: ${Function.prototype.toString.call(leaks[0]![1]).slice(0, 120)}`;
    throw new Error(`contained: all ${fns.length} host functions print as native code`);
  });
}

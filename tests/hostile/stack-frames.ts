// expect: error
// message: contained
// Stacks showed host frames: checkout paths (the digest changed with the
// directory the CLI ran from), the browser worker's random blob: URL, and the
// host call chain (Run and Grade differ). Every stack line must be a learner frame.
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    const stacks: string[] = [];
    const keep = (e: any) => stacks.push(String(e && e.stack));
    keep(new Error('own'));
    try { ctx.send('nobody-here', 'x'); } catch (e) { keep(e); }
    try { await ctx.call('other', 'nothing', 1, { timeoutMs: 5 }); } catch (e) { keep(e); }
    try { await ctx.db.transaction(5); } catch (e) { keep(e); }
    try { (null as any).x; } catch (e) { keep(e); }
    try { JSON.parse('{'); } catch (e) { keep(e); }
    try { require('fs'); } catch (e) { keep(e); }
    try { [1].map(() => { throw new Error('in map'); }); } catch (e) { keep(e); }
    try { new Function('throw new Error("built")')(); } catch (e) { keep(e); }
    await new Promise<void>((resolve) => ctx.setTimer(() => { keep(new Error('in timer')); resolve(); }, 1));
    for (const s of stacks) {
      for (const line of s.split('\n').slice(1)) {
        if (!/^\s+at (async )?(new )?([^ ()]+ \()?learner:\/\/\/[^():]+:\d+:\d+\)?$/.test(line)) return `ESCAPED: ${line.trim().slice(0, 160)}`;
      }
    }
    throw new Error(`contained: ${stacks.length} stacks show learner frames only`);
  });
}

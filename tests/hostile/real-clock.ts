// expect: error
// message: contained
// The learner's Date must be the only clock: walks every constructor and
// prototype reachable from Date, a date, and globalThis.Date, and tries each
// as a clock (`now()`, `new C()`). The worker's own Date (real time) and SES's
// shared Date (host time zone) were reachable this way; so was a child
// Compartment, whose Date is SES's again.
const DAY_START = 1735689600000; // 2025-01-01T00:00:00Z, the virtual epoch
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const g: any = globalThis;
    const seen = new Set<any>();
    const queue: [any, string][] = [[Date, 'Date'], [new Date(), 'date'], [g.Date, 'globalThis.Date'], [Date.prototype, 'Date.prototype']];
    const bad: string[] = [];
    while (queue.length > 0) {
      const [o, path] = queue.shift()!;
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o) || seen.size > 200) continue;
      seen.add(o);
      if (typeof o === 'function') {
        for (const [how, read] of [['now()', () => o.now()], ['new', () => new o().getTime()]] as const) {
          try {
            const t = read();
            if (typeof t === 'number' && !(t >= DAY_START && t < DAY_START + 86400000)) bad.push(`${path} ${how} = ${t}`);
          } catch { /* no clock here */ }
        }
      }
      queue.push([Object.getPrototypeOf(o), `${path}.__proto__`]);
      try { queue.push([o.constructor, `${path}.constructor`]); } catch { /* getter */ }
    }
    if (typeof g.Compartment === 'function') bad.push('a child Compartment can be made');
    if (bad.length > 0) return `ESCAPED: ${bad.join('; ')}`;
    throw new Error('contained: no other clock is reachable');
  });
}

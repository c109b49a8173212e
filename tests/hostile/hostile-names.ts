// expect: error
// message: contained
// Objects where the kernel wants names: their toString ran inside the kernel
// (building messages and trace entries) and a method object ended up in the
// trace, where its toJSON ran inside the judge's fingerprint.
let ran = 0;
const name = {
  toString() { ran++; return 'ping'; },
  toJSON() { ran++; return 'ping'; },
  [Symbol.toPrimitive]() { ran++; return 'ping'; },
};
export function service(ctx: any) {
  ctx.handle('ping', async () => {
    const tries = [
      () => ctx.send('learner', name, 1),
      () => ctx.call('learner', name, 1, { timeoutMs: 5 }),
      () => ctx.call(name, 'ping', 1, { timeoutMs: 5 }),
      () => ctx.db.get(name, name),
      () => ctx.db.get('t', name),
      () => ctx.database(name),
      () => ctx.subscribe(name, () => {}),
      () => ctx.publish('t', 1, { key: name }),
    ];
    for (const t of tries) {
      try {
        await t();
      } catch { /* refused */ }
    }
    if (ran > 0) return `ESCAPED: the kernel ran toString/toJSON of a name ${ran} times`;
    throw new Error('contained: names must be strings, and nothing of them ran');
  });
}

// expect: error
// message: contained
// The host's time zone must not be observable (grades differed between a
// learner in New York and the instructor's CLI in UTC). The Node test runs its
// worker in America/New_York, the browser test in another zone; under UTC this
// case could not fail. Checks every Date path a learner can take.
export function service(ctx: any) {
  ctx.handle('ping', () => {
    const g: any = globalThis;
    const D: any = Date;
    const bad: string[] = [];
    const check = (what: string, got: unknown, want: unknown) => {
      if (got !== want) bad.push(`${what}: ${String(got)} (want ${String(want)})`);
    };
    const jan1 = D.UTC(2025, 0, 1);
    for (const [name, C] of [['Date', D], ['globalThis.Date', g.Date]] as const) {
      check(`${name} components`, new C(2025, 0, 1).getTime(), jan1);
      check(`${name}.parse`, C.parse('Jan 1 2025 00:00'), jan1);
      check(`${name}.parse slashes`, C.parse('2025/01/01 00:00'), jan1);
      check(`${name}.parse ISO local`, C.parse('2025-01-01T00:00'), jan1);
      check(`new ${name}(string)`, new C('January 1, 2025').getTime(), jan1);
      check(`new ${name}(object)`, new C({ toString: () => 'Jan 1 2025', valueOf: undefined }).getTime(), jan1);
    }
    const d = new D(0);
    check('getHours', d.getHours(), 0);
    check('getDate', d.getDate(), 1);
    check('getYear', d.getYear(), 70);
    check('getTimezoneOffset', d.getTimezoneOffset(), 0);
    const y = new D(0);
    y.setYear(99);
    check('setYear', y.getTime(), D.UTC(1999, 0, 1));
    const h = new D(0);
    h.setHours(5);
    check('setHours', h.getTime(), 5 * 3600000);
    check('toString', /00:00:00 GMT\+0000/.test(String(d)), true);
    check('toLocaleString with a zone', /00:00:00 GMT\+0000/.test(d.toLocaleString('en-US', { timeZone: 'America/New_York' })), true);
    check('toLocaleTimeString', /^00:00:00/.test(d.toLocaleTimeString('de-DE')), true);
    // Every local-time getter reachable by walking prototypes reads UTC.
    for (let p = Object.getPrototypeOf(d), i = 0; p && i < 10; p = Object.getPrototypeOf(p), i++) {
      for (const m of ['getHours', 'getTimezoneOffset', 'getYear']) {
        if (Object.prototype.hasOwnProperty.call(p, m)) check(`prototype ${i} ${m}`, p[m].call(d), m === 'getYear' ? 70 : 0);
      }
      if (Object.prototype.hasOwnProperty.call(p, 'constructor') && typeof p.constructor.parse === 'function') {
        check(`prototype ${i} constructor.parse`, p.constructor.parse('Jan 1 2025 00:00'), jan1);
      }
    }
    check('Intl', typeof g.Intl, 'undefined');
    check('Number#toLocaleString', (1234.5).toLocaleString('de-DE'), '1234.5');
    check('localeCompare', 'a'.localeCompare('B'), 1);
    check('toLocaleUpperCase', 'i'.toLocaleUpperCase('tr-TR'), 'I');
    if (bad.length > 0) return `ESCAPED: ${bad.join('; ')}`;
    throw new Error('contained: no date or locale path depends on the host');
  });
}

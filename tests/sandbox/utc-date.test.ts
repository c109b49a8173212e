import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/sim/prng.ts';
import { hasExplicitZone, makeDateClass } from '../../src/sandbox/utc-date.ts';

/**
 * The learner's Date parses strings as if the host were in UTC. Differential
 * test against the engine itself: the same strings are parsed in child
 * processes under several TZ values; parseUtc must give one answer everywhere,
 * and that answer must be what the engine gives under TZ=UTC.
 */
const probe = fileURLToPath(new URL('./fixtures/parse-probe.ts', import.meta.url));
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Europe/London'];

function corpus(): string[] {
  const out = new Set<string>();
  const days = ['', 'Tue ', 'Tuesday, '];
  const dates = ['Mar 7 2025', 'March 7, 2025', '7 March 2025', '7-Mar-2025', '2025/03/07', '3/7/2025', '03/07/25', '2025-03-07', '2025-3-7', 'Mar 9 2025', 'Nov 2, 2025', '2025', 'Jan 1 1970', 'Dec 31 1969'];
  const times = ['', ' 10:00', ' 10:00:30', ' 10:00:30.125', ' 2:30 PM', ' 02:30', ' 12:00 AM', ' 23:59:59', ' 24:00', 'T10:00', ' 10:00:00.5'];
  const zones = ['', ' Z', ' UTC', ' GMT', ' GMT+0300', ' GMT-0530', ' +0530', ' -05:00', ' EST', ' PDT', ' UT', ' (Central European Time)', ' GMT+0100 (CET)', '+02:00', 'Z', ' z', ' (unclosed'];
  for (const d of days) for (const date of dates) for (const t of times) for (const z of zones) out.add(`${d}${date}${t}${z}`);
  for (const s of ['', 'garbage', 'Invalid Date', '2025-03-07T10:00', '2025-03-07T10:00:00', '2025-03-07T10:00:00.123', '2025-03-07t10:00', '+002025-03-07T10:00',
    '2025-03-07T10:00Z', '2025-03-07T10:00+05:30', '2025-03-07T10:00:00+0530', '2025-13-01T10:00', ' 2025-03-07T10:00', '2025-03-07 10:00',
    'Tue Mar 07 2025 10:00:00 GMT+0000 (Coordinated Universal Time)', 'Fri, 07 Mar 2025 10:00:00 GMT', '12:00 Mar 7 2025', 'Mar 7 2025 10:00 GMT+3',
    'Mar 7 2025 10:00 -5', '10:00 3/7/2025', '3/7/2025 10:00 pm est', 'Mar 7 2025 10:00 +', 'Mar 7 2025 10:00+0100', 'Mar 7 2025 10:00(x)']) out.add(s);
  // Seeded fuzz from the tokens the legacy parser knows.
  const rng = new Prng(7, 'date-fuzz');
  const tokens = ['2025', '7', '03', '10', ':', ':00', '.5', ' ', ' ', '-', '+', '/', ',', 'Mar', 'march', 'Z', 'UTC', 'GMT', 'EST', 'pm', 'T', '(x)', '(', ')', 'foo', '0530', '12'];
  for (let i = 0; i < 4000; i++) {
    let s = '';
    const n = rng.int(1, 9);
    for (let j = 0; j < n; j++) s += tokens[rng.int(0, tokens.length - 1)];
    out.add(s);
  }
  return [...out];
}

function parseUnder(tz: string, texts: string[]): [number | null, number | null][] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe], { input: JSON.stringify(texts), env: { ...process.env, TZ: tz }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`probe under ${tz} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as [number | null, number | null][]; // NaN arrives as null
}

describe('parseUtc', () => {
  it('gives the same time under every TZ, equal to the engine under TZ=UTC', () => {
    const texts = corpus();
    const byZone = ZONES.map((tz) => parseUnder(tz, texts));
    const utc = byZone[0]!;
    const zoneDependent = texts.filter((_, i) => byZone.some((z) => z[i]![1] !== utc[i]![1]));
    expect(zoneDependent.length).toBeGreaterThan(1000); // the corpus does exercise local-time parsing
    const mismatches: string[] = [];
    texts.forEach((t, i) => {
      const ours = utc[i]![0];
      if (ours !== utc[i]![1]) mismatches.push(`${JSON.stringify(t)}: ${ours} vs engine-in-UTC ${utc[i]![1]}`);
      for (let z = 1; z < ZONES.length; z++) if (byZone[z]![i]![0] !== ours) mismatches.push(`${JSON.stringify(t)} under ${ZONES[z]}: ${byZone[z]![i]![0]} vs ${ours}`);
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 120_000);

  it('finds the zones the engine finds', () => {
    expect(hasExplicitZone('Mar 7 2025 10:00 EST')).toBe(true);
    expect(hasExplicitZone('Mar 7 2025 10:00 -0500')).toBe(true);
    expect(hasExplicitZone('GMT Mar 7 2025 10:00')).toBe(false); // a zone word before any number is ignored
    expect(hasExplicitZone('7-3-2025 10:00')).toBe(false); // dashes after day numbers are separators
    expect(hasExplicitZone('Mar 7 2025 10:00 (EST)')).toBe(false); // comments are ignored
  });
});

describe('the learner Date (no realm needed)', () => {
  const D = makeDateClass(() => Date.UTC(2025, 0, 1, 12));

  it('local-time methods, components and legacy methods are UTC', () => {
    const d = new D(2025, 5, 15, 13, 30);
    expect(d.toISOString()).toBe('2025-06-15T13:30:00.000Z');
    expect([d.getHours(), d.getTimezoneOffset(), d.getDay(), (d as unknown as { getYear(): number }).getYear()]).toEqual([13, 0, 0, 125]);
    (d as unknown as { setYear(y: number): void }).setYear(99);
    expect(d.toISOString()).toBe('1999-06-15T13:30:00.000Z');
    d.setHours(25);
    expect(d.toISOString()).toBe('1999-06-16T01:30:00.000Z');
    expect(String(new D(0))).toBe('Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)');
    expect(new D(0).toLocaleString('en-US', { timeZone: 'America/New_York' })).toBe('Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)');
    expect(new D('Jan 1 2025 00:00').getTime()).toBe(Date.UTC(2025, 0, 1));
    expect(new D({ toString: () => 'Jan 1 2025', valueOf: undefined } as never).getTime()).toBe(Date.UTC(2025, 0, 1));
    expect(new D().getTime()).toBe(Date.UTC(2025, 0, 1, 12));
    expect(D.now()).toBe(Date.UTC(2025, 0, 1, 12));
    expect(typeof D()).toBe('string');
  });

  it('is a real Date that never reaches the intrinsic Date.prototype (whose constructor parses in the host zone)', () => {
    const d = new D(0);
    expect(d).toBeInstanceOf(D);
    expect(Object.prototype.toString.call(d)).toBe('[object Date]');
    expect(JSON.stringify({ d })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
    expect(`${d}`).toMatch(/GMT\+0000/);
    expect(d.constructor).toBe(D);
    const chain: object[] = [];
    for (let o: object | null = d; o; o = Object.getPrototypeOf(o)) chain.push(o);
    expect(chain).not.toContain(Date.prototype);
    class Sub extends D {}
    expect(new Sub(5).getTime()).toBe(5);
    expect(new Sub(5)).toBeInstanceOf(D);
    expect(String(D)).toBe('function () { [native code] }');
    expect(String(d.getHours)).toBe('function () { [native code] }');
    expect(d.getHours.name).toBe('getHours');
  });

  it('a clockless Date (the compartment\'s shared global) has no clock and is frozen', () => {
    const C = makeDateClass(null);
    expect(() => new C()).toThrow(/no clock/);
    expect(() => C.now()).toThrow(/no clock/);
    expect(new C(5).getTime()).toBe(5);
    expect(Object.isFrozen(C)).toBe(true);
    expect(Object.isFrozen(C.prototype)).toBe(true);
  });
});

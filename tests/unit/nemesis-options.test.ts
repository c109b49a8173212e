import { describe, expect, it } from 'vitest';
import { generateSchedule, quietTime, type Fault } from '../../src/sim/nemesis.ts';
import { faultWindows, longestOutageDuring, outages } from '../../src/grading/outages.ts';

const base = { services: ['a', 'b', 'c'], horizonMs: 3000, minDowntimeMs: 20, maxDowntimeMs: 2500 };
const durations = (fs: Fault[]) =>
  faultWindows(fs, ['crash', 'partition', 'latency', 'loss', 'db-write-failure'])
    .map((w) => w.end - w.start)
    .filter((d) => Number.isFinite(d));

describe('nemesis: opt-in schedule options', () => {
  it('without the new options, schedules are unchanged (other exercises rely on them)', () => {
    // Pinned: seed 7 of the old hotel options, as generated before the options existed (4000 seeds of both
    // exercises' old options compared equal). A change here regrades every exercise.
    const old = generateSchedule(7, { services: ['orchestrator', 'booking', 'hotel', 'car', 'payment'], horizonMs: 300, episodes: 3, minDowntimeMs: 20, maxDowntimeMs: 400 });
    expect(old).toEqual(generateSchedule(7, { services: ['orchestrator', 'booking', 'hotel', 'car', 'payment'], horizonMs: 300, episodes: 3, minDowntimeMs: 20, maxDowntimeMs: 400, downtime: 'uniform' }));
    expect(old).toEqual([
      { at: 0.637, kind: 'loss', rate: 0.539, durationMs: 43.849 },
      { at: 155.825, kind: 'loss', rate: 0.392, durationMs: 191.041 },
      { at: 166.517, kind: 'crash', service: 'orchestrator' },
      { at: 336.581, kind: 'restart', service: 'orchestrator' },
    ]);
  });

  it('maxEpisodes draws the number of episodes per seed within [episodes, maxEpisodes]', () => {
    const counts = new Set<number>();
    for (let seed = 1; seed <= 300; seed++) {
      const s = generateSchedule(seed, { ...base, episodes: 2, maxEpisodes: 6, kinds: ['loss'] });
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s.length).toBeLessThanOrEqual(6);
      counts.add(s.length);
    }
    expect([...counts].sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it("downtime 'mostly-short' keeps the range but skews durations short, with a long tail", () => {
    const all: number[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const s = generateSchedule(seed, { ...base, episodes: 3, downtime: 'mostly-short' });
      all.push(...durations(s));
      expect(quietTime(s)).toBeLessThanOrEqual(base.horizonMs + base.maxDowntimeMs);
    }
    const uniform: number[] = [];
    for (let seed = 1; seed <= 400; seed++) uniform.push(...durations(generateSchedule(seed, { ...base, episodes: 3 })));
    const share = (xs: number[], f: (x: number) => boolean) => xs.filter(f).length / xs.length;
    expect(Math.min(...all)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...all)).toBeLessThanOrEqual(2500);
    expect(share(all, (d) => d <= 330)).toBeGreaterThan(0.4); // cube: half below min + range/8
    expect(share(uniform, (d) => d <= 330)).toBeLessThan(0.2);
    expect(share(all, (d) => d > 1500)).toBeGreaterThan(0.05); // and some long ones
  });
});

describe('outages: fault windows merged', () => {
  const schedule: Fault[] = [
    { at: 100, kind: 'crash', service: 'a' },
    { at: 250, kind: 'restart', service: 'a' },
    { at: 500, kind: 'loss', rate: 0.5, durationMs: 100 },
    { at: 1500, kind: 'partition', groups: [['a'], ['b']] },
    { at: 1700, kind: 'heal' },
    { at: 2000, kind: 'latency', extraMs: 40, durationMs: 900 },
  ];

  it('a crash lasts until its restart, a partition until the heal, windows for their duration; latency is left out', () => {
    expect(faultWindows(schedule)).toEqual([
      { start: 100, end: 250 },
      { start: 500, end: 600 },
      { start: 1500, end: 1700 },
    ]);
  });

  it('merges faults separated by less calm than the gap', () => {
    expect(outages(schedule)).toEqual([
      { start: 100, end: 250 },
      { start: 500, end: 600 },
      { start: 1500, end: 1700 },
    ]);
    expect(outages(schedule, { mergeGapMs: 400 })).toEqual([
      { start: 100, end: 600 },
      { start: 1500, end: 1700 },
    ]);
    const merged = outages(schedule, { mergeGapMs: 400 });
    expect(longestOutageDuring(merged, 1600, 3000)).toEqual({ start: 1500, end: 1700 });
    expect(longestOutageDuring(merged, 0, 3000)).toEqual({ start: 100, end: 600 });
    expect(longestOutageDuring(merged, 700, 1400)).toBeNull();
  });

  it('a crash without a restart never ends', () => {
    expect(outages([{ at: 10, kind: 'crash', service: 'a' }])).toEqual([{ start: 10, end: Infinity }]);
  });
});

describe('outages: crash points', () => {
  it('a crash point counts from the instant it fired for its restart delay, and not at all if it never fired', () => {
    const fired: Fault = { at: 0, kind: 'crash-after', service: 'a', on: 'tx-commit', restartAfterMs: 120, firedAt: 40 };
    const never: Fault = { at: 0, kind: 'crash-after', service: 'a', on: 'send', restartAfterMs: 120 };
    expect(faultWindows([fired, never])).toEqual([{ start: 40, end: 160 }]);
  });
});

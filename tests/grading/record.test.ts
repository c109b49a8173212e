/**
 * The execute → record → judge seam: a record rebuilds the run exactly as the
 * kernel saw it, its size is charged while it is copied, and the judge refuses
 * anything that is not a well-formed record of the run it planned.
 */
import { describe, expect, it } from 'vitest';
import { findExercise } from '../../exercises/index.ts';
import { boundedCopy, CopyLimit, jsonLengthBound } from '../../src/grading/bounded-copy.ts';
import { GradeJudge } from '../../src/grading/judge.ts';
import { fingerprintRecord, outcomeFromRecord } from '../../src/grading/outcome.ts';
import { gradePlan, scenarioRun } from '../../src/grading/plan.ts';
import { BadRecord, decodeRecord, encodeRecord, encodeRun, isOverCap, recordOf, validateRecord, type RunRecord } from '../../src/grading/record.ts';
import { runOnce } from '../../src/grading/run.ts';
import { clipText, escapeControls, safeValue } from '../../src/grading/safe-text.ts';
import { readSolution } from '../../src/grading/files.node.ts';
import { factoryOf } from './helpers.ts';

const HOTEL = 'saga-orchestration-hotel';
const ex = findExercise(HOTEL)!;

async function finished(source: string, scenario = 'orchestrator-crash') {
  const planned = scenarioRun(ex, scenario);
  const setup = ex.scenarios.find((s) => s.id === scenario)!.setup();
  const run = await runOnce({ exercise: ex, runtime: { factory: factoryOf(source) }, scenario, seed: planned.seed, random: false, setup, faults: planned.faults });
  return { planned, run };
}

describe('RunRecord', () => {
  it('rebuilds the trace event for event and the rows table for table; its digest is the kernel\'s', async () => {
    const { planned, run } = await finished(readSolution(HOTEL));
    const json = encodeRun(run, [], 4 << 20);
    const rec = decodeRecord(json, planned, 4 << 20) as RunRecord;
    expect(isOverCap(rec)).toBe(false);
    const out = outcomeFromRecord(ex, planned, rec);
    expect(JSON.parse(JSON.stringify(out.trace()))).toEqual(JSON.parse(JSON.stringify(run.sim.trace.events())));
    expect(out.digest()).toBe(run.sim.trace.digest());
    for (const service of run.sim.services) for (const table of run.sim.tables(service)) expect(out.rows(service, table)).toEqual(run.sim.rows(service, table));
    expect(out.traceOf('crash', 'restart').map((e) => e.kind)).toEqual(run.sim.trace.events().filter((e) => e.kind === 'crash' || e.kind === 'restart').map((e) => e.kind));
    // Driver-injected faults come from the run, the schedule from the plan.
    expect(out.faults.filter((f) => f.kind === 'crash')).toHaveLength(2);
  });

  it('a run over its size cap becomes an over-cap marker; the judge fails it naming the cause', async () => {
    const src = `const big = 'z'.repeat(100_000);
export function orchestrator(ctx) { ctx.db.createTable('big'); ctx.handle('startBooking', async () => { for (let i = 0; i < 20; i++) await ctx.db.put('big', { id: 'r' + i, v: big }); return { accepted: true }; }); }`;
    const { planned, run } = await finished(src, 'happy-path');
    const json = encodeRun(run, [], 1 << 20);
    expect(json.length).toBeLessThan(300);
    const rec = decodeRecord(json, planned, 1 << 20);
    expect(isOverCap(rec) && rec.overCap).toEqual({ what: 'run', limitChars: 1 << 20 });
    const judge = new GradeJudge(ex, { runs: [planned], scenarioRuns: 1, seeds: 0, seedBase: 1 }, { caps: { runChars: 1 << 20 } });
    judge.accept(0, json);
    const happy = judge.report(0).checks.find((c) => c.id === 'happy-path')!;
    expect(happy.passed).toBe(false);
    expect(happy.message?.en).toMatch(/more than 1 MB of trace and state/);
  });

  it('the copy is charged while it is made (shared references count every time) and keeps __proto__ as data', () => {
    const s = 'x'.repeat(1000);
    expect(() => boundedCopy(new Array(10_000).fill(s), { left: 100_000 })).toThrow(CopyLimit);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => boundedCopy(deep, { left: 1e9 })).toThrow(/nested too deeply/);
    const c = boundedCopy(JSON.parse('{"__proto__":{"polluted":1},"a":[1,null,true]}'), { left: 1e9 }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.keys(c)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(boundedCopy({ f: () => 1, n: NaN, u: undefined, arr: [undefined, () => 2] }, { left: 1e9 })).toEqual({ n: null, arr: [null, null] });
  });

  it('the judge refuses records that are too long (before parsing), of another run, or malformed', async () => {
    const { planned, run } = await finished(readSolution(HOTEL), 'happy-path');
    const json = encodeRun(run, [], 4 << 20);
    expect(() => decodeRecord(json, planned, 100)).toThrow(/over the cap/);
    expect(() => decodeRecord(json, { ...planned, seed: planned.seed + 1 }, 4 << 20)).toThrow(BadRecord);
    const rec = JSON.parse(json);
    const broken = (f: (r: typeof rec) => void) => {
      const r = structuredClone(rec);
      f(r);
      return () => decodeRecord(JSON.stringify(r), planned, 4 << 20);
    };
    expect(broken((r) => (r.trace.c[3] = 99))).toThrow(/trace event 3/); // a cause in the future
    expect(broken((r) => (r.trace.k[0] = 999))).toThrow(/trace event 0/);
    expect(broken((r) => r.trace.t.pop())).toThrow(/column t/);
    expect(broken((r) => (r.tables[0][1][0] = ['t', [1]]))).toThrow(/tables/);
    expect(broken((r) => (r.problems = [{ kind: 'nope', message: 'x' }]))).toThrow(/problems/);
    expect(() => decodeRecord('{"v":1', planned, 4 << 20)).toThrow(/not JSON/);
    expect(() => decodeRecord({ v: 1 }, planned, 4 << 20)).toThrow(/not a string/);
  });

  it('a judge stopped mid-grade fails the run in flight with the cause and leaves the rest not evaluated', () => {
    const judge = new GradeJudge(ex, gradePlan(ex, 3, 1));
    judge.stop({ kind: 'timeout', message: { en: 'The run did not finish.', ru: 'Прогон не завершился.' } }, true);
    const r = judge.report(0);
    expect(r.score).toBe(0);
    expect(r.checks.find((c) => c.id === 'happy-path')!.message?.en).toBe('[scenario "happy-path"] The run did not finish.');
    expect(r.checks.find((c) => c.id === 'random-faults')!.message?.en).toBe('Not evaluated: The run did not finish.');
  });
});

describe('both paths', () => {
  it('a record fingerprints the same as an object (in process) and after its JSON trip (from a worker)', async () => {
    // Awkward learner data: -0, a lone surrogate, control characters, unicode.
    const src = [
      'export function orchestrator(ctx) {',
      "  ctx.db.createTable('sagas');",
      "  ctx.handle('startBooking', async (req) => {",
      "    await ctx.db.insert('sagas', { id: req.sagaId, z: -0, s: '\\ud800\\u001b[2K\\u0436' });",
      '    return { accepted: true };',
      '  });',
      '}',
    ].join('\n');
    const { planned, run } = await finished(src, 'happy-path');
    const sized = recordOf(run, ['rejected: x'], 4 << 20);
    const direct = validateRecord(sized.record, planned);
    const json = encodeRecord(sized);
    expect(json.length).toBeLessThanOrEqual(sized.size); // the size bounds the JSON
    const tripped = decodeRecord(json, planned, 4 << 20);
    expect(fingerprintRecord(tripped)).toBe(fingerprintRecord(direct));
    const row = (direct as RunRecord).tables.find(([s]) => s === 'orchestrator')![1][0]![1][0]!;
    expect(row.z === 0 && Object.is(row.z, -0)).toBe(true); // -0 here, 0 after JSON: the fingerprint must not care
    expect(row.s).toBe('\ud800\u001b[2K\u0436');
    // And a different record fingerprints differently.
    const other = recordOf(run, ['rejected: y'], 4 << 20);
    expect(fingerprintRecord(other.record)).not.toBe(fingerprintRecord(direct));
  });

  it('the size is an upper bound of the JSON, also for escape-heavy strings', () => {
    for (const s of ['plain', '"quoted"', '\u0000\u0001\u001f', '\\\\', '\ud800\udc00', '\udfff']) {
      expect(JSON.stringify(s).length).toBeLessThanOrEqual(jsonLengthBound(s));
    }
    const budget = { left: 1e9 };
    const v = { a: [-1.7976931348623157e308, 5e-324, -0, 123456789.123], '\u0001k': '\u0002'.repeat(50) };
    boundedCopy(v, budget);
    expect(JSON.stringify(v).length).toBeLessThanOrEqual(1e9 - budget.left);
  });
});

describe('safe text', () => {
  it('escapes terminal and bidi controls visibly and clips without splitting a surrogate pair', () => {
    expect(escapeControls('a\u001b[2K\rb\u202ec\u0000\u200b\ud800')).toBe('a\\x1b[2K\\rb\\u202ec\\x00\\u200b\\ud800');
    expect(escapeControls('Привет, 🙂 ok')).toBe('Привет, 🙂 ok');
    expect(clipText('ab🙂cd', 3)).toBe('ab… [+4 chars]');
    expect(clipText('short', 10)).toBe('short');
    const v = safeValue({ s: 'x'.repeat(1000), a: new Array(100).fill(1), '\u001b': 1 }, { text: 10, items: 5 }) as Record<string, unknown>;
    expect(v.s).toBe('xxxxxxxxxx… [+990 chars]');
    expect(v.a).toEqual([1, 1, 1, 1, 1, '… [+95 items]']);
    expect(Object.keys(v)).toContain('\\x1b');
  });
});

import { describe, expect, it } from 'vitest';
import { gradeWithFactory, runScenarioWithFactory } from '../../src/grading/grade.ts';
import { gradeSubmission, runScenario } from '../../src/grading/index.ts';
import { trustedFactory } from '../../src/grading/local-factory.ts';
import { readSolution } from '../../src/grading/files.node.ts';
import { exercise, factoryOf } from './helpers.ts';

const HOTEL = 'saga-orchestration-hotel';
const trustedLoad = (source: string, fileName: string) => {
  const r = trustedFactory(source, fileName);
  return r.ok ? { ok: true as const, factory: r.factory } : { ok: false as const, diagnostics: [{ line: 1, column: 1, message: r.message }] };
};

describe('learner-code problems become check failures, never grader crashes', () => {
  it('a module that throws while loading', async () => {
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(`throw new Error('boom at load');\nexport function orchestrator() {}`), { seeds: 3 });
    expect(r.score).toBe(0);
    for (const c of r.checks) expect(c.message?.en).toContain('boom at load');
  });

  it('a missing export', async () => {
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(`export function orchestrater() {}`), { seeds: 3 });
    expect(r.score).toBe(0);
    expect(r.checks[0]!.message?.en).toContain('"orchestrator"');
    expect(r.checks[0]!.message?.ru).toContain('orchestrator');
  });

  it('handlers that throw', async () => {
    const src = `export function orchestrator(ctx) { ctx.handle('startBooking', () => { throw new TypeError('nope'); }); }`;
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(src), { seeds: 3 });
    expect(r.score).toBeLessThan(r.maxScore);
    expect(r.checks.find((c) => c.id === 'happy-path')!.passed).toBe(false);
  });

  it('an endless chain of timers hits the event budget', async () => {
    const src = `export function orchestrator(ctx) { const tick = () => ctx.setTimer(tick, 0); tick(); }`;
    const rep = await runScenarioWithFactory(exercise(HOTEL), factoryOf(src), { scenario: 'happy-path' });
    expect(rep.reason).toBe('event-budget');
    const happy = rep.checks.find((c) => c.id === 'happy-path')!;
    expect(happy.passed).toBe(false);
    expect(happy.message?.en).toContain('event budget');
  });

  it('start() that rejects is reported, not thrown', async () => {
    const src = `export async function orchestrator(ctx) { await ctx.sleep(1); throw new Error('late start failure'); }`;
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(src), { seeds: 2 });
    expect(r.score).toBeLessThan(r.maxScore);
    expect(r.problems.some((p) => p.kind === 'start-error' && p.message.includes('late start failure'))).toBe(true);
  });

  it('module-level state is fresh per incarnation and per run', async () => {
    // A counter at module level: if instances leaked between runs, replies would differ between two grades.
    const src = readSolution(HOTEL).replace(/const FORWARD_ATTEMPTS = \d+;/, (m) => `${m}\nlet starts = 0;`).replace('ctx.db.createTable(\'sagas\');', "ctx.db.createTable('sagas');\n  starts++;\n  if (starts > 1) throw new Error('module state leaked: ' + starts);");
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(src), { seeds: 20 });
    expect(r.problems).toEqual([]);
    expect(r.score).toBe(r.maxScore);
  });
});

describe('scoring', () => {
  it('a check only random runs can evidence is not passed with --seeds 0; levels need all their checks', async () => {
    const r = await gradeWithFactory(exercise(HOTEL), factoryOf(readSolution(HOTEL)), { seeds: 0 });
    const rf = r.checks.find((c) => c.id === 'random-faults')!;
    expect(rf.passed).toBe(false);
    expect(rf.message?.en).toContain('Not evaluated');
    expect(r.score).toBe(r.maxScore - rf.points);
    expect(r.level).toBe('advanced');
    expect(r.levelPoints).toBe(75);
  });
});

describe('public API', () => {
  it('gradeSubmission reports unknown exercises and compile errors as such', async () => {
    const a = await gradeSubmission('no-such-exercise', 'x', { load: trustedLoad });
    expect(a.ok).toBe(false);
    expect(!a.ok && a.error).toBe('unknown-exercise');
    const b = await gradeSubmission(HOTEL, 'export function orchestrator( {', { load: trustedLoad });
    expect(!b.ok && b.error).toBe('compile');
  });

  it('gradeSubmission reports progress and grades the solution', async () => {
    const seen: number[] = [];
    const out = await gradeSubmission(HOTEL, readSolution(HOTEL), { load: trustedLoad, seeds: 10, onProgress: (p) => seen.push(p.done) });
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.report.score).toBe(out.report.maxScore);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen[seen.length - 1]).toBe(seen.length);
  });

  it('runScenario returns logs, the trace, the final state and verdicts; replays a random seed exactly', async () => {
    const src = readSolution(HOTEL).replace("void run(req.sagaId);", "ctx.log.info('saga started', req.sagaId);\n    void run(req.sagaId);");
    const out = await runScenario(HOTEL, src, { load: trustedLoad, checkId: 'happy-path' });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const rep = out.report;
    expect(rep.scenario).toBe('happy-path');
    expect(rep.logs.some((l) => l.service === 'orchestrator' && l.message.includes('saga started'))).toBe(true);
    expect(rep.trace.length).toBeGreaterThan(10);
    expect(rep.state.booking!.bookings![0]!.status).toBe('CONFIRMED');
    expect(rep.checks.find((c) => c.id === 'happy-path')!.passed).toBe(true);
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);

    const r1 = await runScenario(HOTEL, src, { load: trustedLoad, scenario: 'random', seed: 17 });
    const r2 = await runScenario(HOTEL, src, { load: trustedLoad, scenario: 'random', seed: 17 });
    expect(r1.ok && r2.ok).toBe(true);
    if (r1.ok && r2.ok) {
      expect(r1.report.traceDigest).toBe(r2.report.traceDigest);
      expect(r1.report.faults.length).toBeGreaterThan(0);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRecorded as runOnce } from '../../src/grading/grade.ts';
import { readSolution, repoRoot } from '../../src/grading/files.node.ts';
import { clientOutcomes, facts, outcome, show, yesVoteAt } from '../../exercises/two-phase-commit-transfer/properties.ts';
import { readReply } from '../../exercises/two-phase-commit-transfer/services.ts';
import { exercise, factoryOf, grade } from './helpers.ts';

const ID = 'two-phase-commit-transfer';
const ex = exercise(ID);

async function scenarioRun(id: string, source = readSolution(ID)) {
  const sc = ex.scenarios.find((s) => s.id === id)!;
  const setup = sc.setup();
  return runOnce({ exercise: ex, runtime: { factory: factoryOf(source) }, scenario: id, seed: sc.seed, random: false, setup, faults: setup.faults ?? [] });
}

describe('two-phase-commit-transfer', () => {
  it('the course transfer: 12 messages for 2PC, 6 for the saga twin, both shown (unscored) under the check', async () => {
    const r = await grade(ID, readSolution(ID), { seeds: 3 });
    const transfer = r.checks.find((c) => c.id === 'transfer')!;
    expect(transfer.observation?.en).toMatch(/^2PC: 12 messages .* locks on accounts 1 and 2 for [\d.]+ ms .*\nSaga .*: 6 messages and no locks/s);
    expect(transfer.observation?.ru).toMatch(/^2PC: 12 сообщений/);
    const run = await scenarioRun('transfer');
    expect(run.rows('saga-account', 'accounts').map((a) => a.balance)).toEqual([900, 600, 200]);
    expect(run.rows('account', 'accounts').map((a) => a.balance)).toEqual([900, 600, 200]);
  });

  it('blocking: the coordinator crashes on the third vote; account 1 refuses LOCKED for about the downtime, the saga twin stays available', async () => {
    const run = await scenarioRun('coordinator-down');
    const crash = run.faults.find((f) => f.kind === 'crash-after' && f.service === 'coordinator');
    expect(crash && crash.kind === 'crash-after' && crash.firedAt).toBeLessThan(100);
    const f = facts(run);
    expect(outcome(run, 'cd-2')).toMatchObject({ status: 'ABORTED' });
    expect(outcome(run, 'cd-2')!.replies[0]).toMatchObject({ status: 'ABORTED', reason: 'LOCKED' });
    const probe = outcome(run, 'cd-p')!;
    const held = f.effects.account.get(probe.txId)!.at - yesVoteAt(run, 'account', 'cd-1')!;
    expect(held).toBeGreaterThan(2000);
    expect(held).toBeLessThan(2600);
    const sagaSecond = clientOutcomes(run, 'saga-client').get('cd-2')!;
    expect(sagaSecond.status).toBe('COMMITTED');
    expect(sagaSecond.decidedAt - sagaSecond.startedAt).toBeLessThan(100);
    const r = await grade(ID, readSolution(ID), { seeds: 1 });
    const obs = r.checks.find((c) => c.id === 'blocking')!.observation!;
    expect(obs.en).toMatch(/account 1 was locked for 2\d{3}(\.\d)? ms/);
    expect(obs.en).toMatch(/Saga, the same schedule .* COMMITTED after [\d.]+ ms .*temporarily inconsistent/);
    expect(obs.ru).toMatch(/счёт 1 был заблокирован 2\d{3}/);
  });

  it('the starter compiles, gets the course transfer through, and reaches no level', async () => {
    const starter = readFileSync(join(repoRoot, 'exercises', ID, 'starter.ts'), 'utf8');
    const r = await grade(ID, starter, { seeds: 20 });
    expect(r.level).toBeNull();
    expect(r.score).toBeLessThan(50);
    expect(r.checks.find((c) => c.id === 'transfer')!.passed).toBe(true);
  });

  it('hostile replies and rows are read defensively and shown bounded', async () => {
    expect(readReply('COMMITTED')).toEqual({ status: 'MALFORMED', reason: null });
    expect(readReply({ status: 'COMMITTED ' })).toEqual({ status: 'MALFORMED', reason: null });
    expect(readReply({ status: 'ABORTED', reason: 'x'.repeat(10_000) }).reason).toHaveLength(40);
    expect(show('\u001b[31m' + 'y'.repeat(100))).toMatch(/^\?\[31my+…$/);
    expect(show('\u202eevil').startsWith('?')).toBe(true);
    const liar = `
      export function coordinator(ctx) {
        ctx.handle('transfer', (t) => ({ status: 'COMMITTED', reason: '\\u202e'.repeat(5000) }));
      }
      export function participant(ctx) {
        if (ctx.service === 'account') ctx.db.createTable('transactions');
        ctx.handle('prepare', () => ({ vote: 'YES' }));
        ctx.handle('commit', () => ctx.db.put(ctx.service === 'payment' ? 'payments' : 'audit_log', { id: 'x', txId: { evil: 'z'.repeat(5000) }, from: 1, to: 2, amount: 1e9 }));
      }`;
    const r = await grade(ID, liar, { seeds: 5 });
    expect(r.level).toBeNull();
    for (const c of r.checks) expect((c.message?.en ?? '').length).toBeLessThan(1500);
  });
});

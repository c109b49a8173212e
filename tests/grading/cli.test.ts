import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExerciseFiles, repoRoot } from '../../src/grading/files.node.ts';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/grade.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 140_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const KEYS = ['checks', 'durationMs', 'exercise', 'exerciseVersion', 'level', 'maxScore', 'score', 'traceDigest'];
const CHECK_KEYS = ['earned', 'failingSeed', 'faults', 'id', 'message', 'passed', 'points', 'seedsRun', 'title'];

// Each test spawns the CLI (a sandbox worker per process): allow for a busy machine.
const SLOW = 150_000;

describe('grade CLI', () => {
  for (const id of ['saga-orchestration-hotel', 'event-store-concurrency']) {
    it(`--exercise ${id} --solution --json prints one JSON object with score == maxScore`, () => {
      const r = cli('--exercise', id, '--solution', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out).sort()).toEqual(KEYS);
      expect(out.exercise).toBe(id);
      expect(out.score).toBe(out.maxScore);
      expect(out.level).toBe('expert');
      expect(out.traceDigest).toMatch(/^[0-9a-f]{64}$/);
      for (const c of out.checks) {
        expect(Object.keys(c).sort()).toEqual(CHECK_KEYS);
        expect(c.passed).toBe(true);
        expect(c.seedsRun === 0 || c.seedsRun === 200).toBe(true);
      }
    }, SLOW);
  }

  it('the same code and seeds give the same digest through the sandbox', () => {
    const a = JSON.parse(cli('--exercise', 'event-store-concurrency', '--solution', '--json', '--seeds', '15').stdout);
    const b = JSON.parse(cli('--exercise', 'event-store-concurrency', '--solution', '--json', '--seeds', '15').stdout);
    expect(a.traceDigest).toBe(b.traceDigest);
  }, SLOW);

  it('grades the starter below maxScore with a readable table (exit 0)', () => {
    const r = cli(join(repoRoot, 'exercises/saga-orchestration-hotel/starter.ts'), '--exercise', 'saga-orchestration-hotel', '--seeds', '10');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✗ happy-path');
    expect(r.stdout).toMatch(/score \d+\/100/);
    expect(r.stdout).not.toContain('score 100/100');
  }, SLOW);

  it('reports a failing seed with its faults and message', () => {
    // Mutants are patches of the solution: write the patched submission to a file.
    const mutant = readExerciseFiles('saga-orchestration-hotel').mutants.find((m) => m.name === 'state-not-persisted')!;
    const file = join(mkdtempSync(join(tmpdir(), 'mdl-cli-')), 'state-not-persisted.ts');
    writeFileSync(file, mutant.source);
    const r = cli(file, '--exercise', 'saga-orchestration-hotel', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const rf = out.checks.find((c: { id: string }) => c.id === 'random-faults');
    expect(rf.passed).toBe(false);
    expect(typeof rf.failingSeed).toBe('number');
    expect(rf.faults.length).toBeGreaterThan(0);
    expect(rf.message).toMatch(/Saga r\d+-[a-c]/);
  }, SLOW);

  it('exit 2 for bad input: unknown exercise, missing file, a directory, syntax error, bad option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-grade-'));
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, 'export function orchestrator( {\n');
    const unknown = cli(bad, '--exercise', 'no-such-exercise');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown exercise');
    const missing = cli(join(dir, 'missing.ts'), '--exercise', 'saga-orchestration-hotel');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not found');
    const syntax = cli(bad, '--exercise', 'saga-orchestration-hotel', '--json');
    expect(syntax.code).toBe(2);
    expect(syntax.stdout).toBe('');
    expect(syntax.stderr).toMatch(/bad\.ts:\d+:\d+/);
    expect(cli('--exercise', 'saga-orchestration-hotel', '--seeds', 'many').code).toBe(2);
    const directory = cli(dir, '--exercise', 'saga-orchestration-hotel');
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain('not a regular file');
  }, SLOW);

  it('--list lists the exercise ids', () => {
    const r = cli('--list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('saga-orchestration-hotel');
    expect(r.stdout).toContain('event-store-concurrency');
  }, SLOW);
});

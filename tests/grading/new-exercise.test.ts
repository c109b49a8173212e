import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { createExercise } from '../../src/cli/new-exercise.ts';
import { ID_PATTERN, identifierOf, registerExercise } from '../../src/cli/exercise-template.ts';
import { gradeWithFactory } from '../../src/grading/grade.ts';
import { repoRoot } from '../../src/grading/files.node.ts';
import { applyPatch, parseMutantHeader } from '../../src/grading/mutants.ts';
import { LEVEL_ORDER, type ExerciseDefinition } from '../../src/grading/types.ts';
import { factoryOf } from './helpers.ts';

/** A scratch checkout: the real src/ (symlinked) and a copy of exercises/index.ts to register into. */
function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), 'mdl-new-exercise-'));
  symlinkSync(join(repoRoot, 'src'), join(root, 'src'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'exercises'));
  mkdirSync(join(root, 'solutions'));
  copyFileSync(join(repoRoot, 'exercises/index.ts'), join(root, 'exercises/index.ts'));
  return root;
}

const ID = 'template-probe';

describe('npm run new-exercise: the template passes the gates because its checks are real', () => {
  const root = scratch();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const written = createExercise(root, ID, 4);
  const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

  it('writes the exercise folder, the solution, mutants, api.d.ts and registers it', () => {
    for (const rel of ['types.ts', 'services.ts', 'exercise.ts', 'README.ru.md', 'README.en.md', 'starter.ts', 'api.d.ts']) expect(written).toContain(`exercises/${ID}/${rel}`);
    expect(written).toContain(`solutions/${ID}.ts`);
    expect(read(`exercises/${ID}/api.d.ts`)).toContain(`declare module '@mdl/${ID}'`);
    expect(read(`exercises/${ID}/api.d.ts`)).toContain('export function isRpcTimeout(e: unknown): e is RpcTimeout;');
    const index = read('exercises/index.ts');
    expect(index).toContain(`import templateProbe from './${ID}/exercise.ts';`);
    expect(index).toMatch(/EXERCISES: readonly ExerciseDefinition\[\] = \[[^\]]*templateProbe\]/);
    expect(() => createExercise(root, ID, 4)).toThrow(/already exists/);
  });

  it('compiles under the project settings (the solution and starter against the generated api.d.ts)', () => {
    const files = [`exercises/${ID}/exercise.ts`, `exercises/${ID}/services.ts`, `exercises/${ID}/api.d.ts`, `exercises/${ID}/starter.ts`, `solutions/${ID}.ts`].map((f) => join(root, f));
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.webworker.importscripts.d.ts'],
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    expect(diags).toEqual([]);
  }, 120_000);

  it('the solution scores full marks, the starter fails every check, each mutant fails what it declares, every check is proven', async () => {
    const ex = ((await import(join(root, 'exercises', ID, 'exercise.ts'))) as { default: ExerciseDefinition }).default;
    expect(ex.id).toBe(ID);
    const upTo = (i: number) => ex.checks.filter((c) => LEVEL_ORDER.indexOf(c.level) <= i).reduce((s, c) => s + c.points, 0);
    expect([upTo(0), upTo(1), upTo(2)]).toEqual([50, 75, 100]);

    const solution = read(`solutions/${ID}.ts`);
    const full = await gradeWithFactory(ex, factoryOf(solution), { seeds: 1000 });
    expect(full.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.message?.en}`)).toEqual([]);
    expect(full.level).toBe('expert');

    const starter = await gradeWithFactory(ex, factoryOf(read(`exercises/${ID}/starter.ts`)));
    expect(starter.checks.filter((c) => c.passed).map((c) => c.id), 'the starter passes no check').toEqual([]);

    const proven = new Set<string>();
    for (const name of ['count-every-delivery', 'balance-ignores-amount']) {
      const patch = read(`exercises/${ID}/mutants/${name}.patch`);
      const { fails } = parseMutantHeader(patch);
      const r = await gradeWithFactory(ex, factoryOf(applyPatch(solution, patch, { patch: name, base: 'solution' })));
      for (const id of fails) {
        expect(r.checks.find((c) => c.id === id)?.passed, `${name} should fail ${id}`).toBe(false);
        proven.add(id);
      }
    }
    expect(ex.checks.map((c) => c.id).filter((id) => !proven.has(id))).toEqual([]);
  }, 300_000);

  it('refuses bad input with exit code 2 and writes nothing', () => {
    expect(ID_PATTERN.test('outbox-relay')).toBe(true);
    for (const bad of ['Outbox', '1st', 'a--b', 'a_b', '-x', '']) expect(ID_PATTERN.test(bad), bad).toBe(false);
    expect(identifierOf('outbox-relay-2')).toBe('outboxRelay2');
    expect(() => registerExercise('const nothing = 1;', 'x')).toThrow(/no `import/);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/new-exercise.ts'), 'Not-Valid'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a valid id');
    expect(existsSync(join(repoRoot, 'exercises', 'Not-Valid'))).toBe(false);
  }, 150_000);
});

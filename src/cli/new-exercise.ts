/**
 * `npm run new-exercise -- <id> [--chapter N]`: adds exercise <id> from the
 * template (src/cli/exercise-template.ts) — its folder under exercises/, the
 * reference solution, two mutants, the generated api.d.ts, and its line in
 * exercises/index.ts. The result passes every gate at once because its checks
 * are real; exercises/README.md walks through turning it into your exercise.
 *
 * Exit codes: 0 created, 2 bad input (nothing is written then).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildApiDts } from '../grading/api-dts.ts';
import { repoRoot } from '../grading/files.node.ts';
import { runtimeDeclarations } from '../grading/runtime-dts.node.ts';
import { ID_PATTERN, registerExercise, renderExercise } from './exercise-template.ts';

function fail(message: string): never {
  console.error(`new-exercise: ${message}`);
  console.error('usage: npm run new-exercise -- <id> [--chapter N]   (id: lowercase words joined by "-", e.g. outbox-relay)');
  process.exit(2);
}

export function createExercise(root: string, id: string, chapter: number): string[] {
  const files = renderExercise({ id, chapter });
  const dir = join(root, 'exercises', id);
  const solution = join(root, 'solutions', `${id}.ts`);
  if (existsSync(dir)) throw new Error(`exercises/${id} already exists`);
  if (existsSync(solution)) throw new Error(`solutions/${id}.ts already exists`);
  const indexPath = join(root, 'exercises', 'index.ts');
  // Everything that can fail is computed before the first write.
  const index = registerExercise(readFileSync(indexPath, 'utf8'), id);
  const api = buildApiDts(
    id,
    readFileSync(join(root, 'src/sim/types.ts'), 'utf8'),
    files[`exercises/${id}/types.ts`]!,
    runtimeDeclarations(readFileSync(join(root, 'src/sim/learner-runtime.ts'), 'utf8')),
  );
  files[`exercises/${id}/api.d.ts`] = api;
  for (const [rel, text] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  writeFileSync(indexPath, index);
  return [...Object.keys(files), 'exercises/index.ts'];
}

function main(argv: string[]): void {
  const args = argv.slice();
  let chapter = 1;
  const at = args.indexOf('--chapter');
  if (at >= 0) {
    chapter = Number(args[at + 1]);
    if (!Number.isInteger(chapter) || chapter < 1) fail(`--chapter needs a positive integer, got ${JSON.stringify(args[at + 1] ?? '')}`);
    args.splice(at, 2);
  }
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) fail(`unknown option ${unknown}`);
  if (args.length !== 1) fail(args.length === 0 ? 'give the new exercise id' : `one id only, got ${args.join(' ')}`);
  const id = args[0]!;
  if (!ID_PATTERN.test(id)) fail(`"${id}" is not a valid id`);
  let written: string[];
  try {
    written = createExercise(repoRoot, id, chapter);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  console.log(`created exercise ${id}:`);
  for (const f of written) console.log(`  ${f}`);
  console.log(`next: read exercises/README.md ("Adding an exercise"), then run npx vitest run tests/grading`);
}

if (process.argv[1] && /new-exercise\.ts$/.test(process.argv[1])) main(process.argv.slice(2));

/** Regenerates exercises/<id>/api.d.ts for every exercise (or checks them with --check). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiDts } from '../grading/api-dts.ts';
import { exerciseIds } from '../../exercises/index.ts';
import { repoRoot } from '../grading/files.node.ts';
import { runtimeDeclarations } from '../grading/runtime-dts.node.ts';

const check = process.argv.includes('--check');
const sim = readFileSync(join(repoRoot, 'src/sim/types.ts'), 'utf8');
const runtime = runtimeDeclarations(readFileSync(join(repoRoot, 'src/sim/learner-runtime.ts'), 'utf8'));
let stale = 0;
for (const id of exerciseIds()) {
  const dir = join(repoRoot, 'exercises', id);
  const want = buildApiDts(id, sim, readFileSync(join(dir, 'types.ts'), 'utf8'), runtime);
  const path = join(dir, 'api.d.ts');
  let have = '';
  try {
    have = readFileSync(path, 'utf8');
  } catch {
    // missing
  }
  if (have === want) continue;
  stale++;
  if (check) console.error(`stale: exercises/${id}/api.d.ts`);
  else {
    writeFileSync(path, want);
    console.log(`wrote exercises/${id}/api.d.ts`);
  }
}
process.exit(check && stale > 0 ? 1 : 0);

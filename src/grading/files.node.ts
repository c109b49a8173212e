/**
 * Node-only access to the exercises' text files (statements, starter, api.d.ts,
 * mutants) and the reference solutions. The browser uses exercises/assets.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parseMutantHeader, type MutantHeader } from './mutants.ts';
import type { Localized } from './types.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface MutantFile extends MutantHeader {
  name: string;
  path: string;
  /** The submission: the file itself (`.ts`) or the solution with the patch applied (`.patch`). */
  source: string;
  /** Why a `.patch` mutant could not be built (names the file and the hunk); `source` is then ''. */
  error?: string;
}

export interface ExerciseFiles {
  statement: Localized;
  starter: string;
  apiDts: string;
  mutants: MutantFile[];
}

export function exerciseDir(id: string): string {
  return join(repoRoot, 'exercises', id);
}

export function solutionPath(id: string): string {
  return join(repoRoot, 'solutions', `${id}.ts`);
}

export function readSolution(id: string): string {
  return readFileSync(solutionPath(id), 'utf8');
}

export function readExerciseFiles(id: string): ExerciseFiles {
  const dir = exerciseDir(id);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const mdir = join(dir, 'mutants');
  const mutants = existsSync(mdir)
    ? readdirSync(mdir)
        .filter((f) => f.endsWith('.ts') || f.endsWith('.patch'))
        .sort()
        .map((file): MutantFile => {
          const path = join(mdir, file);
          const text = readFileSync(path, 'utf8');
          const name = file.replace(/\.(ts|patch)$/, '');
          if (file.endsWith('.ts')) return { name, path, source: text, ...parseMutantHeader(text) };
          try {
            const source = applyPatch(readSolution(id), text, { patch: `exercises/${id}/mutants/${file}`, base: `solutions/${id}.ts` });
            return { name, path, source, ...parseMutantHeader(text) };
          } catch (e) {
            return { name, path, source: '', error: e instanceof Error ? e.message : String(e), ...parseMutantHeader(text) };
          }
        })
    : [];
  return { statement: { ru: read('README.ru.md'), en: read('README.en.md') }, starter: read('starter.ts'), apiDts: read('api.d.ts'), mutants };
}

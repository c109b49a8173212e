/**
 * Node-only access to the exercises' text files (statements, starter, api.d.ts,
 * mutants) and the reference solutions. The browser uses exercises/assets.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMutantHeader, type MutantHeader } from './mutants.ts';
import type { Localized } from './types.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface MutantFile extends MutantHeader {
  name: string;
  path: string;
  source: string;
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
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((name) => {
          const path = join(mdir, name);
          const source = readFileSync(path, 'utf8');
          return { name: name.replace(/\.ts$/, ''), path, source, ...parseMutantHeader(source) };
        })
    : [];
  return { statement: { ru: read('README.ru.md'), en: read('README.en.md') }, starter: read('starter.ts'), apiDts: read('api.d.ts'), mutants };
}

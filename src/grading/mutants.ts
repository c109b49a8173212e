/**
 * Mutants: known-wrong submissions kept next to an exercise
 * (exercises/<id>/mutants/*.ts). Each starts with a header:
 *
 *   // mutant-fails: check-id, other-check-id
 *   // mutant-ru: одна строка описания
 *   // mutant-en: one-line description
 *
 * and must fail every check it lists (tests/grading enforces it).
 */
import type { Localized } from './types.ts';

export interface MutantHeader {
  fails: string[];
  description: Localized;
}

export function parseMutantHeader(source: string): MutantHeader {
  const field = (name: string) => {
    const m = new RegExp(`^//\\s*mutant-${name}:\\s*(.+)$`, 'm').exec(source);
    return m ? m[1]!.trim() : '';
  };
  const fails = field('fails')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { fails, description: { ru: field('ru'), en: field('en') } };
}

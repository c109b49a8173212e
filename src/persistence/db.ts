import Dexie, { type EntityTable } from 'dexie';

export type VersionKind = 'autosave' | 'reset' | 'restore' | 'grade';

export interface DraftRecord {
  exerciseId: string;
  code: string;
  updatedAt: number;
}

export interface VersionRecord {
  id?: number;
  exerciseId: string;
  code: string;
  savedAt: number;
  kind: VersionKind;
}

export interface GradeCheckSummary {
  checkId: string;
  passed: boolean;
  points: number;
  maxPoints: number;
  failingSeed?: number;
}

export interface GradeRecord {
  id?: number;
  exerciseId: string;
  at: number;
  score: number;
  maxScore: number;
  /** Level reached, as shown to the learner (both languages when available). */
  level?: { ru: string; en: string } | string;
  code: string;
  checks: GradeCheckSummary[];
}

export class LabDatabase extends Dexie {
  drafts!: EntityTable<DraftRecord, 'exerciseId'>;
  versions!: EntityTable<VersionRecord, 'id'>;
  grades!: EntityTable<GradeRecord, 'id'>;

  constructor(name: string) {
    super(name);
    this.version(1).stores({
      drafts: '&exerciseId, updatedAt',
      versions: '++id, exerciseId, [exerciseId+savedAt]',
      grades: '++id, exerciseId, [exerciseId+at]',
    });
  }
}

import { LabDatabase, type DraftRecord, type GradeRecord, type VersionKind, type VersionRecord } from './db.ts';

export type { DraftRecord, GradeRecord, VersionKind, VersionRecord, GradeCheckSummary } from './db.ts';

/** Autosaves within this window of the previous autosave version update it instead of adding a new one. */
export const AUTOSAVE_COALESCE_MS = 2 * 60_000;
/** Versions kept per exercise (oldest dropped first). */
export const MAX_VERSIONS = 100;

export type StorageProblem = 'unavailable' | 'quota' | 'other';

/** A storage failure, classified so the UI can explain it. */
export class StorageError extends Error {
  readonly problem: StorageProblem;
  constructor(problem: StorageProblem, cause: unknown) {
    super(describe(cause), { cause });
    this.name = 'StorageError';
    this.problem = problem;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

export function classifyStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const names: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e === 'object' && e !== null && 'name' in e) names.push(String((e as { name: unknown }).name));
    e = typeof e === 'object' && e !== null ? ((e as { inner?: unknown; cause?: unknown }).inner ?? (e as { cause?: unknown }).cause) : undefined;
  }
  if (names.includes('QuotaExceededError')) return new StorageError('quota', error);
  if (names.some((n) => n === 'MissingAPIError' || n === 'OpenFailedError' || n === 'InvalidStateError' || n === 'DatabaseClosedError' || n === 'SecurityError'))
    return new StorageError('unavailable', error);
  return new StorageError('other', error);
}

export interface ExerciseProgress {
  exerciseId: string;
  /** Draft saved (the learner typed something). */
  started: boolean;
  best?: { score: number; maxScore: number; level?: GradeRecord['level']; at: number };
  lastGradedAt?: number;
}

/** Persistent learner state: drafts (autosave), version history and grades, in IndexedDB via Dexie. */
export class LabStore {
  readonly db: LabDatabase;

  constructor(name = 'microservices-data-lab') {
    this.db = new LabDatabase(name);
  }

  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw classifyStorageError(error);
    }
  }

  /** Opens the database early so that an unavailable IndexedDB is reported at start-up. */
  open(): Promise<void> {
    return this.guard(async () => {
      await this.db.open();
    });
  }

  loadDraft(exerciseId: string): Promise<DraftRecord | undefined> {
    return this.guard(() => this.db.drafts.get(exerciseId));
  }

  /**
   * Saves the current code of an exercise and records it in the history.
   * Consecutive autosaves within {@link AUTOSAVE_COALESCE_MS} update one history entry.
   */
  saveDraft(exerciseId: string, code: string, now = Date.now()): Promise<void> {
    return this.guard(() =>
      this.db.transaction('rw', this.db.drafts, this.db.versions, async () => {
        const existing = await this.db.drafts.get(exerciseId);
        if (existing && existing.code === code) return;
        await this.db.drafts.put({ exerciseId, code, updatedAt: now });
        const last = await this.lastVersion(exerciseId);
        if (last && last.code === code) return;
        if (last && last.kind === 'autosave' && now - last.savedAt < AUTOSAVE_COALESCE_MS && last.id !== undefined) {
          await this.db.versions.update(last.id, { code, savedAt: now });
        } else {
          await this.db.versions.add({ exerciseId, code, savedAt: now, kind: 'autosave' });
          await this.prune(exerciseId);
        }
      }),
    );
  }

  /** Records `code` as a history entry of the given kind (e.g. before a reset or a restore). */
  addVersion(exerciseId: string, code: string, kind: VersionKind, now = Date.now()): Promise<void> {
    return this.guard(() =>
      this.db.transaction('rw', this.db.versions, async () => {
        const last = await this.lastVersion(exerciseId);
        if (last && last.code === code && last.kind === kind) return;
        await this.db.versions.add({ exerciseId, code, savedAt: now, kind });
        await this.prune(exerciseId);
      }),
    );
  }

  private async lastVersion(exerciseId: string): Promise<VersionRecord | undefined> {
    return this.db.versions
      .where('[exerciseId+savedAt]')
      .between([exerciseId, -Infinity], [exerciseId, Infinity])
      .last();
  }

  private async prune(exerciseId: string): Promise<void> {
    const keys = await this.db.versions
      .where('[exerciseId+savedAt]')
      .between([exerciseId, -Infinity], [exerciseId, Infinity])
      .primaryKeys();
    if (keys.length > MAX_VERSIONS) await this.db.versions.bulkDelete(keys.slice(0, keys.length - MAX_VERSIONS));
  }

  /** History of an exercise, newest first. */
  listVersions(exerciseId: string): Promise<VersionRecord[]> {
    return this.guard(async () =>
      (
        await this.db.versions
          .where('[exerciseId+savedAt]')
          .between([exerciseId, -Infinity], [exerciseId, Infinity])
          .toArray()
      ).reverse(),
    );
  }

  recordGrade(grade: Omit<GradeRecord, 'id'>): Promise<number> {
    return this.guard(() =>
      this.db.transaction('rw', this.db.grades, this.db.versions, async () => {
        const id = await this.db.grades.add({ ...grade });
        await this.db.versions.add({ exerciseId: grade.exerciseId, code: grade.code, savedAt: grade.at, kind: 'grade' });
        await this.prune(grade.exerciseId);
        return id as number;
      }),
    );
  }

  /** Grades of an exercise, newest first. */
  listGrades(exerciseId: string): Promise<GradeRecord[]> {
    return this.guard(async () =>
      (
        await this.db.grades
          .where('[exerciseId+at]')
          .between([exerciseId, -Infinity], [exerciseId, Infinity])
          .toArray()
      ).reverse(),
    );
  }

  /** Progress per exercise, derived from drafts and stored grades (best score wins; ties: latest). */
  progress(): Promise<Map<string, ExerciseProgress>> {
    return this.guard(async () => {
      const result = new Map<string, ExerciseProgress>();
      const entry = (exerciseId: string): ExerciseProgress => {
        let p = result.get(exerciseId);
        if (!p) {
          p = { exerciseId, started: false };
          result.set(exerciseId, p);
        }
        return p;
      };
      await this.db.drafts.each((d) => {
        entry(d.exerciseId).started = true;
      });
      await this.db.grades.each((g) => {
        const p = entry(g.exerciseId);
        p.started = true;
        p.lastGradedAt = Math.max(p.lastGradedAt ?? 0, g.at);
        const ratio = g.maxScore > 0 ? g.score / g.maxScore : 0;
        const bestRatio = p.best && p.best.maxScore > 0 ? p.best.score / p.best.maxScore : -1;
        if (!p.best || ratio > bestRatio || (ratio === bestRatio && g.at >= p.best.at)) {
          p.best = { score: g.score, maxScore: g.maxScore, level: g.level, at: g.at };
        }
      });
      return result;
    });
  }

  close(): void {
    this.db.close();
  }
}

/** Asks the browser not to evict our data. Best effort: the answer is reported, never assumed. */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    if (typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.persist === 'function') {
      return await navigator.storage.persist();
    }
  } catch {
    // Not granted; nothing else to do.
  }
  return false;
}

import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import Dexie from 'dexie';
import {
  AUTOSAVE_COALESCE_MS,
  LabStore,
  MAX_VERSIONS,
  StorageError,
  classifyStorageError,
  requestPersistentStorage,
} from '../../src/persistence/store.ts';

let store: LabStore;
let n = 0;

beforeEach(() => {
  store = new LabStore(`test-db-${n++}`);
});
afterEach(() => {
  store.close();
});

const grade = (exerciseId: string, score: number, at: number, maxScore = 100) => ({
  exerciseId,
  at,
  score,
  maxScore,
  level: score >= 75 ? { ru: 'продвинутый', en: 'advanced' } : undefined,
  code: `// score ${score}`,
  checks: [{ checkId: 'c1', passed: score === maxScore, points: score, maxPoints: maxScore, failingSeed: score === maxScore ? undefined : 7 }],
});

describe('LabStore drafts', () => {
  it('returns undefined for an exercise never saved, then the saved code', async () => {
    expect(await store.loadDraft('saga')).toBeUndefined();
    await store.saveDraft('saga', 'const a = 1;', 1000);
    const draft = await store.loadDraft('saga');
    expect(draft).toEqual({ exerciseId: 'saga', code: 'const a = 1;', updatedAt: 1000 });
  });

  it('keeps drafts of different exercises apart', async () => {
    await store.saveDraft('a', 'A', 1);
    await store.saveDraft('b', 'B', 2);
    expect((await store.loadDraft('a'))?.code).toBe('A');
    expect((await store.loadDraft('b'))?.code).toBe('B');
  });

  it('survives reopening the database (reload)', async () => {
    const name = store.db.name;
    await store.saveDraft('x', 'persisted', 5);
    store.close();
    const reopened = new LabStore(name);
    expect((await reopened.loadDraft('x'))?.code).toBe('persisted');
    reopened.close();
  });
});

describe('LabStore history', () => {
  it('coalesces autosaves within the window and starts a new version after it', async () => {
    await store.saveDraft('e', 'v1', 0);
    await store.saveDraft('e', 'v2', 1000);
    let versions = await store.listVersions('e');
    expect(versions.map((v) => v.code)).toEqual(['v2']);
    await store.saveDraft('e', 'v3', 1000 + AUTOSAVE_COALESCE_MS + 1);
    versions = await store.listVersions('e');
    expect(versions.map((v) => v.code)).toEqual(['v3', 'v2']);
  });

  it('does not add a version when the code is unchanged', async () => {
    await store.saveDraft('e', 'same', 0);
    await store.saveDraft('e', 'same', AUTOSAVE_COALESCE_MS * 3);
    expect(await store.listVersions('e')).toHaveLength(1);
  });

  it('records explicit versions (before reset) so earlier text can be restored', async () => {
    await store.saveDraft('e', 'my work', 0);
    await store.addVersion('e', 'my work', 'reset', 10);
    await store.saveDraft('e', 'starter', 20);
    const versions = await store.listVersions('e');
    expect(versions.map((v) => [v.kind, v.code])).toEqual([
      ['autosave', 'starter'],
      ['reset', 'my work'],
      ['autosave', 'my work'],
    ]);
  });

  it('keeps at most MAX_VERSIONS per exercise, dropping the oldest', async () => {
    for (let i = 0; i < MAX_VERSIONS + 5; i++) await store.addVersion('e', `code ${i}`, 'restore', i);
    await store.addVersion('other', 'x', 'restore', 0);
    const versions = await store.listVersions('e');
    expect(versions).toHaveLength(MAX_VERSIONS);
    expect(versions[0]!.code).toBe(`code ${MAX_VERSIONS + 4}`);
    expect(versions.at(-1)!.code).toBe('code 5');
    expect(await store.listVersions('other')).toHaveLength(1);
  });
});

describe('LabStore grades and progress', () => {
  it('lists grades newest first and adds the graded code to the history', async () => {
    await store.recordGrade(grade('saga', 40, 100));
    await store.recordGrade(grade('saga', 100, 200));
    const grades = await store.listGrades('saga');
    expect(grades.map((g) => g.score)).toEqual([100, 40]);
    const versions = await store.listVersions('saga');
    expect(versions.filter((v) => v.kind === 'grade').map((v) => v.code)).toEqual(['// score 100', '// score 40']);
  });

  it('derives progress: not started, in progress (draft only), best grade', async () => {
    await store.saveDraft('draft-only', 'x', 1);
    await store.recordGrade(grade('graded', 60, 10));
    await store.recordGrade(grade('graded', 90, 20));
    await store.recordGrade(grade('graded', 30, 30));
    const progress = await store.progress();
    expect(progress.get('never')).toBeUndefined();
    expect(progress.get('draft-only')).toEqual({ exerciseId: 'draft-only', started: true });
    const graded = progress.get('graded')!;
    expect(graded.best).toEqual({ score: 90, maxScore: 100, level: { ru: 'продвинутый', en: 'advanced' }, at: 20 });
    expect(graded.lastGradedAt).toBe(30);
  });

  it('compares grades by ratio when the maximum changed between exercise versions', async () => {
    await store.recordGrade(grade('e', 50, 1, 50));
    await store.recordGrade(grade('e', 80, 2, 100));
    expect((await store.progress()).get('e')!.best).toMatchObject({ score: 50, maxScore: 50 });
  });
});

describe('storage failures are reported, never silent', () => {
  it('classifies quota errors, including ones wrapped by Dexie', () => {
    const quota = new Dexie.AbortError('tx aborted', Object.assign(new Error('full'), { name: 'QuotaExceededError' }));
    expect(classifyStorageError(quota).problem).toBe('quota');
    expect(classifyStorageError(Object.assign(new Error('x'), { name: 'QuotaExceededError' })).problem).toBe('quota');
  });

  it('rejects with an "unavailable" StorageError when IndexedDB is missing', async () => {
    // Dexie reads the factory from its dependencies; simulate a browser without IndexedDB.
    const deps = Dexie.dependencies as { indexedDB?: IDBFactory };
    const savedDep = deps.indexedDB;
    deps.indexedDB = undefined;
    const broken = new LabStore('no-idb');
    try {
      const err = await broken.saveDraft('e', 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).problem).toBe('unavailable');
    } finally {
      deps.indexedDB = savedDep;
      broken.close();
    }
  });

  it('turns a failing open (e.g. private mode) into an "unavailable" StorageError', async () => {
    const factory = new IDBFactory();
    factory.open = () => {
      throw Object.assign(new Error('The user denied permission to access the database.'), { name: 'SecurityError' });
    };
    const deps = Dexie.dependencies as { indexedDB?: IDBFactory };
    const savedDep = deps.indexedDB;
    deps.indexedDB = factory;
    const broken = new LabStore('private-mode');
    try {
      const err = await broken.open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).problem).toBe('unavailable');
    } finally {
      deps.indexedDB = savedDep;
      broken.close();
    }
  });

  it('requestPersistentStorage is best effort', async () => {
    expect(typeof (await requestPersistentStorage())).toBe('boolean');
  });
});

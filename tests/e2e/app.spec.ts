import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { readExerciseFiles } from '../../src/grading/files.node.ts';

const EXERCISE = 'saga-orchestration-hotel';
const ARTIFACTS = 'tests/e2e/artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

/** The exercise's mutant with a wrong compensation order (a patch of the solution); its header names the check that must catch it. */
const ORDER_MUTANT = readExerciseFiles(EXERCISE).mutants.find((m) => m.name === 'wrong-compensation-order')!;
const MUTANT = ORDER_MUTANT.source;
const ORDER_CHECK = ORDER_MUTANT.fails[0]!;
const SOLUTION = readFileSync(`solutions/${EXERCISE}.ts`, 'utf8');

let consoleErrors: string[] = [];

test.beforeEach(async ({ page }) => {
  consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  // Fixed UI language for deterministic assertions (the toggle test switches it).
  await page.addInitScript(() => {
    if (window !== window.top) return; // the sandbox's opaque-origin frame has no storage
    if (!sessionStorage.getItem('mdl.e2e.init')) {
      sessionStorage.setItem('mdl.e2e.init', '1');
      localStorage.setItem('mdl.uiLang', 'en');
      localStorage.setItem('mdl.statementLang', 'en');
    }
  });
});

test.afterEach(() => {
  expect(consoleErrors, 'console errors').toEqual([]);
});

async function openExercise(page: Page): Promise<void> {
  await page.goto(`/#/ex/${EXERCISE}`);
  await waitForEditor(page);
}

async function waitForEditor(page: Page): Promise<void> {
  await expect(page.locator('html[data-editor-ready="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('.monaco-editor .view-lines').first()).toBeVisible();
}

/** Replaces the editor's text the way a learner would: select all, then paste. */
async function setCode(page: Page, code: string, exercise = EXERCISE): Promise<void> {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await pasteText(page, code);
  // Autosave writes the exact text within ~1 s of the last change.
  await expect.poll(() => savedDraft(page, exercise), { timeout: 5_000 }).toBe(code);
}

async function pasteText(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+V');
}

/** The exercise's autosaved draft, read straight from IndexedDB (also proves autosave works). */
async function savedDraft(page: Page, exercise = EXERCISE): Promise<string | null> {
  return page.evaluate(
    (id) =>
      new Promise<string | null>((resolve) => {
        const open = indexedDB.open('microservices-data-lab');
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('drafts')) return resolve(null);
          const get = db.transaction('drafts').objectStore('drafts').get(id);
          get.onsuccess = () => resolve((get.result as { code?: string } | undefined)?.code ?? null);
          get.onerror = () => resolve(null);
        };
      }),
    exercise,
  );
}

async function gradeAndWait(page: Page): Promise<void> {
  await page.getByTestId('grade').click();
  await expect(page.locator('[data-testid="workspace"][data-state="done"] [data-testid="grade-result"]')).toBeVisible({
    timeout: 120_000,
  });
}

test('course map lists the chapters in order with the exercise and overall progress', async ({ page }) => {
  await page.goto('/');
  const chapters = page.locator('.chapter h2');
  await expect(chapters).toHaveCount(5);
  await expect(chapters.nth(0)).toContainText('Database per Service');
  await expect(chapters.nth(1)).toContainText('Distributed transactions');
  await expect(chapters.nth(2)).toContainText('Saga');
  await expect(chapters.nth(3)).toContainText('Event Sourcing');
  await expect(chapters.nth(4)).toContainText('Final project');
  const card = page.locator(`[data-exercise-id="${EXERCISE}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId('exercise-status')).toHaveText('Not started');
  await expect(page.getByTestId('overall-progress')).toContainText('0 of');
  // A real link with a shareable URL.
  await expect(card.locator('a')).toHaveAttribute('href', `#/ex/${EXERCISE}`);
  await page.screenshot({ path: `${ARTIFACTS}/map.png`, fullPage: true });
  await card.locator('a').click();
  await expect(page).toHaveURL(new RegExp(`#/ex/${EXERCISE}$`));
  await waitForEditor(page);
});

for (const [chapter, id, title] of [
  [1, 'db-per-service-decomposition', 'Database per Service'],
  [2, 'cap-replicated-stock', 'CAP'],
] as const) {
  test(`chapter ${chapter} opens the exercise ${id}`, async ({ page }) => {
    await page.goto('/');
    const card = page.locator(`li.chapter[aria-labelledby="chapter-${chapter}"] [data-exercise-id="${id}"]`);
    await expect(card).toBeVisible();
    await card.locator('a').click();
    await expect(page).toHaveURL(new RegExp(`#/ex/${id}$`));
    await expect(page.locator('#exercise-title')).toContainText(title);
    await waitForEditor(page);
  });
}

test('wrong compensation order fails its check with a seed; the solution gets full score and persists', async ({ page }) => {
  await openExercise(page);
  await expect(page.locator('#exercise-title')).toBeVisible();

  await setCode(page, MUTANT);
  await gradeAndWait(page);
  const check = page.locator(`[data-testid="grade-result"] li[data-check-id="${ORDER_CHECK}"]`);
  await expect(check).toHaveAttribute('data-passed', 'false');
  await expect(check.locator('.check-message')).toContainText(/reverse|order/i);
  // Where it failed: a failing seed (random fault run) or the deterministic scenario, with a replay link.
  await expect(check.locator('.check-message, [data-testid="failing-seed"]').first()).toContainText(/seed|scenario/i);
  const score = await page.getByTestId('score').innerText();
  expect(score).not.toMatch(/(\d+) \/ \1 points/);
  await page.screenshot({ path: `${ARTIFACTS}/workspace-failed-check.png` });
  // The replay link opens that run at its own URL, and the run shows the same failure.
  const replay = check.getByTestId('replay-link');
  const href = await replay.getAttribute('href');
  expect(href).toMatch(new RegExp(`^#/ex/${EXERCISE}/replay/${ORDER_CHECK}/`));
  await replay.click();
  await expect(page).toHaveURL(new RegExp(`#/ex/${EXERCISE}/replay/`));
  await expect(page.getByTestId('replay-title')).toBeVisible({ timeout: 60_000 });
  const verdict = page.locator(`[data-testid="run-result"] li[data-check-id="${ORDER_CHECK}"]`);
  await expect(verdict).toHaveAttribute('data-passed', 'false');
  await expect(page.getByTestId('trace').locator('tbody tr').first()).toBeVisible();
  // The deep link survives a reload (the code is restored from storage, the run repeats).
  await page.reload();
  await waitForEditor(page);
  await expect(page.getByTestId('replay-title')).toBeVisible({ timeout: 60_000 });
  await expect(verdict).toHaveAttribute('data-passed', 'false');

  await page.goto(`/#/ex/${EXERCISE}`);
  await waitForEditor(page);
  await setCode(page, SOLUTION);
  await gradeAndWait(page);
  await expect(page.getByTestId('score')).toContainText(/(\d+) \/ \1 points/);
  await expect(page.locator('[data-testid="grade-result"] li[data-passed="false"]')).toHaveCount(0);
  await page.screenshot({ path: `${ARTIFACTS}/workspace-graded.png` });

  // The map shows the score.
  await page.goto('/#/');
  const status = page.locator(`[data-exercise-id="${EXERCISE}"]`).getByTestId('exercise-status');
  await expect(status).toContainText(/(\d+) \/ \1/);
  await expect(page.locator(`[data-exercise-id="${EXERCISE}"]`)).toHaveAttribute('data-status', 'full');

  // Reload: code and score persist.
  await page.reload();
  await expect(status).toContainText(/(\d+) \/ \1/);
  await openExercise(page);
  const firstLine = SOLUTION.split('\n').find((l) => l.trim().length > 0)!.trim();
  await expect(page.locator('.monaco-editor .view-line').first()).toHaveText(firstLine.replace(/ /g, '\u00a0'));
  expect(await savedDraft(page)).toBe(SOLUTION);
  await expect(page.getByTestId('grade-history').locator('li')).not.toHaveCount(0);
});

test('an infinite loop ends with a clear message, the UI stays responsive and the next run works', async ({ page }) => {
  await openExercise(page);
  const loop = `${SOLUTION}\n\nwhile (true) {}\n`;
  await setCode(page, loop);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('stop')).toBeEnabled();
  // The page stays responsive while the worker spins: the language toggle still works.
  await page.getByTestId('statement-lang-ru').click();
  await expect(page.getByTestId('statement-lang-ru')).toHaveAttribute('aria-pressed', 'true');
  // Either the sandbox's loop guard or its wall-clock kill ends it, with a message saying so.
  const message = page.locator('[data-testid="sandbox-error"], [data-testid="problems"]');
  await expect(message.first()).toBeVisible({ timeout: 60_000 });
  await expect(message.first()).toContainText(/infinite loop/i);
  await page.screenshot({ path: `${ARTIFACTS}/workspace-timeout.png` });

  await setCode(page, SOLUTION);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('logs').or(page.locator('.logs .muted'))).toBeVisible();
  await expect(page.getByTestId('trace').locator('tbody tr').first()).toBeVisible();
});

test('Stop ends a long grade', async ({ page }) => {
  await openExercise(page);
  await setCode(page, SOLUTION);
  await page.getByTestId('grade').click();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toHaveText(/Stopped/);
  await expect(page.getByTestId('run')).toBeEnabled();
});

test('language toggle switches the UI and the statement, and is remembered', async ({ page }) => {
  await openExercise(page);
  await expect(page.getByTestId('run')).toContainText('Run');
  const statementEn = await page.locator('.statement').innerText();
  await page.getByTestId('lang-toggle').click();
  await expect(page.getByTestId('run')).toContainText('Запустить');
  await expect(page.getByTestId('grade')).toContainText('Оценить');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  const statementRu = await page.locator('.statement').innerText();
  expect(statementRu).not.toEqual(statementEn);
  expect(statementRu).toMatch(/[а-яё]/i);
  await page.screenshot({ path: `${ARTIFACTS}/workspace-ru.png` });
  await page.reload();
  await waitForEditor(page);
  await expect(page.getByTestId('run')).toContainText('Запустить');
  await page.goto('/#/');
  await expect(page.locator('#block-title')).toContainText('Блок 4');
  await page.getByTestId('lang-toggle').click();
  await expect(page.locator('#block-title')).toContainText('Block 4');
});

test('editor knows the exercise API: the solution type-checks, misuse is flagged, completion lists ctx members', async ({ page }) => {
  await openExercise(page);
  // The reference solution imports its types from the exercise module: no errors once the API is registered.
  await setCode(page, SOLUTION);
  await page.waitForTimeout(2_500); // let the TypeScript worker check the file
  await expect(page.locator('.monaco-editor .squiggly-error')).toHaveCount(0);
  await page.keyboard.press('ControlOrMeta+Home');
  // Ctrl/Cmd+Enter runs the selected scenario: logs and a readable trace (time, service, kind).
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('trace').locator('thead')).toContainText('Service');
  await page.screenshot({ path: `${ARTIFACTS}/workspace.png` });

  const wrong = [
    "import type { ServiceContext } from '@mdl/saga-orchestration-hotel';",
    'export function orchestrator(ctx: ServiceContext): void {',
    "  ctx.db.notAMethod('sagas');",
    '}',
    '',
  ].join('\n');
  await setCode(page, wrong);
  await expect(page.locator('.monaco-editor .squiggly-error').first()).toBeVisible({ timeout: 30_000 });

  // Completion on `ctx.` offers the ServiceContext API.
  await page.locator('.monaco-editor .view-line').nth(2).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('ctx.');
  await page.keyboard.press('Control+Space');
  const suggest = page.locator('.monaco-editor .suggest-widget');
  await expect(suggest).toBeVisible({ timeout: 20_000 });
  await expect(suggest).toContainText('publish');
  await page.screenshot({ path: `${ARTIFACTS}/workspace-completion.png` });
});

test('reset to starter asks first, keeps the old text in the history, and it can be restored', async ({ page }) => {
  await openExercise(page);
  const mine = `// my own attempt\n${SOLUTION}`;
  await setCode(page, mine);
  const top = async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+Home');
    return page.locator('.monaco-editor .view-lines').first();
  };
  await expect(await top()).toContainText('my own attempt');

  // Declining the confirmation changes nothing.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByTestId('reset').click();
  await page.waitForTimeout(1_500);
  expect(await savedDraft(page)).toBe(mine);

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('reset').click();
  await expect.poll(() => savedDraft(page)).not.toBe(mine);
  await expect(await top()).not.toContainText('my own attempt');

  await page.locator('.history summary').click();
  const entry = page.getByTestId('version-history').locator('li', { hasText: 'before reset' }).first();
  await expect(entry).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await entry.getByRole('button').click();
  await expect.poll(() => savedDraft(page)).toBe(mine);
  await expect(await top()).toContainText('my own attempt');
  // Undo in the editor brings the starter back (the replacement is one undoable edit).
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => savedDraft(page)).not.toBe(mine);
});

test('code is saved at once when the page is hidden', async ({ page }) => {
  await openExercise(page);
  const code = `// saved on hide\n${SOLUTION}`;
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await pasteText(page, code);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  // Well before the ~0.7 s debounce would have fired.
  await expect.poll(() => savedDraft(page), { timeout: 600, intervals: [50] }).toBe(code);
});

test('when browser storage is unavailable the learner is told, and can still work', async ({ page }) => {
  await page.addInitScript(() => {
    if (window !== window.top) return;
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await page.goto(`/#/ex/${EXERCISE}`);
  await expect(page.getByTestId('storage-error')).toBeVisible();
  await expect(page.getByTestId('storage-error')).toContainText(/IndexedDB/);
  await waitForEditor(page);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
  // Expected console noise from the failing storage is reported as warnings, not errors.
});

test('code that never yields (no loop for the guard to catch) is stopped by the sandbox wall clock', async ({ page }) => {
  await openExercise(page);
  // Exponential recursion: no loop statement, so only the wall-clock kill can end it.
  const spin = `${SOLUTION}\n\nfunction spin(): void {\n  try {\n    spin();\n  } catch {\n    spin();\n  }\n}\nspin();\n`;
  await setCode(page, spin);
  await page.getByTestId('run').click();
  const error = page.getByTestId('sandbox-error');
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText(/time limit|infinite loop/i);
  await expect(page.getByTestId('status')).toContainText(/too long/i);
  // A fresh sandbox takes over: the next run works.
  await setCode(page, SOLUTION);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
});

test('after one visit the app works offline (service worker precache)', async ({ page, context }) => {
  await openExercise(page);
  // The service worker registers a few seconds after load and precaches the whole build.
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, undefined, {
    timeout: 60_000,
  });
  await context.setOffline(true);
  try {
    await page.goto('/#/');
    await page.reload();
    await expect(page.locator(`[data-exercise-id="${EXERCISE}"]`)).toBeVisible();
    await page.locator(`[data-exercise-id="${EXERCISE}"] a`).click();
    await waitForEditor(page);
    await page.getByTestId('run').click();
    await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
  } finally {
    await context.setOffline(false);
  }
});

test('keyboard only: skip link, visible focus, open an exercise, run with Ctrl+Enter', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator(`[data-exercise-id="${EXERCISE}"]`)).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.locator('.skip-link')).toBeFocused();
  // Tab through the header to the first exercise link; every stop has a visible focus ring.
  const link = page.locator(`[data-exercise-id="${EXERCISE}"] a`);
  for (let i = 0; i < 10 && !(await link.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
  }
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await waitForEditor(page);
  await page.getByTestId('run').focus();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 60_000 });
});

test('chapter 2 opens the two-phase commit exercise; its grade shows 2PC next to the saga (unscored)', async ({ page }) => {
  const id = 'two-phase-commit-transfer';
  await page.goto('/');
  const card = page.locator('.chapter').nth(1).locator(`[data-exercise-id="${id}"]`);
  await expect(card).toBeVisible();
  await card.locator('a').click();
  await expect(page).toHaveURL(new RegExp(`#/ex/${id}$`));
  await waitForEditor(page);
  await setCode(page, readFileSync(`solutions/${id}.ts`, 'utf8'), id);
  await gradeAndWait(page);
  await expect(page.getByTestId('score')).toContainText(/(\d+) \/ \1 points/);
  const blocking = page.locator('[data-testid="grade-result"] li[data-check-id="blocking"]');
  await expect(blocking).toHaveAttribute('data-passed', 'true');
  await expect(blocking.getByTestId('observation')).toContainText(/account 1 was locked for 2\d{3}/);
  await expect(blocking.getByTestId('observation')).toContainText(/Saga, the same schedule/);
  await page.screenshot({ path: `${ARTIFACTS}/two-phase-commit-graded.png`, fullPage: true });
});

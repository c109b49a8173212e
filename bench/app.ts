/**
 * App benchmarks (real Chromium against a production build served by `vite preview`):
 *   BENCH app.initial_js_gzip_kb  — gzip size of all JS the course map loads (target ≤ 250 KB)
 *   BENCH app.editor_ready_ms     — navigation → editable Monaco editor, median of 5 cold loads (target ≤ 1500 ms)
 *   BENCH app.grade_ms            — Grade of saga-orchestration-hotel (reference solution) in the browser worker, median of 3 (target ≤ 1000 ms)
 *   BENCH app.grade_ms.<id>       — the same for other exercises listed in BENCH_APP_EXERCISES (comma-separated ids; default: the hotel only)
 * Run: `npm run bench -- app` (builds into a temp dir first; BENCH_APP_NO_BUILD=1 reuses that build).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../tests/support/browser.ts';

const PORT = 4199;
const BASE = `http://127.0.0.1:${PORT}`;
const EXERCISE = 'saga-orchestration-hotel';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A private build directory, so the benchmark neither needs nor disturbs dist/. */
const OUT_DIR = join(tmpdir(), 'mdl-bench-app-dist');

async function startPreview(): Promise<ChildProcess> {
  if (!process.env.BENCH_APP_NO_BUILD || !existsSync(join(OUT_DIR, 'index.html'))) {
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', OUT_DIR, '--emptyOutDir'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('vite build failed');
  }
  const server = spawn('npx', ['vite', 'preview', '--outDir', OUT_DIR, '--host', '127.0.0.1', '--strictPort', '--port', String(PORT)], {
    stdio: 'ignore',
    detached: true,
  });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(BASE);
      if (r.ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stopPreview(server);
  throw new Error('vite preview did not start');
}

function stopPreview(server: ChildProcess): void {
  try {
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function launch(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions()); // the same browser as the e2e tests
}

async function initialJsGzipKb(browser: Browser): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts = new Map<string, Buffer>();
  page.on('response', async (response) => {
    const type = response.request().resourceType();
    if (type !== 'script') return;
    try {
      scripts.set(response.url(), await response.body());
    } catch {
      // body unavailable (redirect etc.)
    }
  });
  await page.goto(`${BASE}/#/`);
  await page.locator(`[data-exercise-id="${EXERCISE}"]`).waitFor();
  await page.waitForLoadState('networkidle');
  await context.close();
  let total = 0;
  for (const body of scripts.values()) total += gzipSync(body, { level: 9 }).length;
  return total / 1024;
}

async function editorReadyMs(browser: Browser): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${BASE}/#/ex/${EXERCISE}`);
    await waitEditable(page);
    times.push(performance.now() - start);
    await context.close();
  }
  return times;
}

async function waitEditable(page: Page): Promise<void> {
  await page.locator('html[data-editor-ready="true"] .monaco-editor textarea').first().waitFor({ state: 'attached', timeout: 60_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 60_000 });
}

async function gradeMs(browser: Browser, exercise: string): Promise<number[]> {
  const solution = readFileSync(`solutions/${exercise}.ts`, 'utf8');
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${BASE}/#/ex/${exercise}`);
  await waitEditable(page);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((value) => navigator.clipboard.writeText(value), solution);
  await page.keyboard.press('ControlOrMeta+V');
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    await page.getByTestId('grade').click();
    await page.locator('[data-testid="workspace"][data-state="done"] [data-testid="grade-result"]').waitFor({ timeout: 120_000 });
    const elapsed = performance.now() - start;
    if (i > 0) times.push(elapsed); // the first grade also starts the worker; report warm grades
    else console.log(`# app.grade_ms first (cold worker) ${elapsed.toFixed(0)} ms`);
    const score = await page.getByTestId('score').innerText();
    if (i === 0) console.log(`# ${score.replace(/\s+/g, ' ')}`);
  }
  await context.close();
  return times;
}

export async function benchApp(): Promise<void> {
  const server = await startPreview();
  const browser = await launch();
  try {
    const kb = await initialJsGzipKb(browser);
    console.log(`BENCH app.initial_js_gzip_kb ${kb.toFixed(1)} KB`);
    const ready = await editorReadyMs(browser);
    console.log(`# editor ready runs: ${ready.map((t) => t.toFixed(0)).join(', ')} ms`);
    console.log(`BENCH app.editor_ready_ms ${median(ready).toFixed(0)} ms`);
    for (const id of (process.env.BENCH_APP_EXERCISES ?? EXERCISE).split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!existsSync(`solutions/${id}.ts`)) continue;
      const grades = await gradeMs(browser, id);
      const name = id === EXERCISE ? 'app.grade_ms' : `app.grade_ms.${id}`;
      console.log(`# ${name} runs: ${grades.map((t) => t.toFixed(0)).join(', ')} ms`);
      console.log(`BENCH ${name} ${median(grades).toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    stopPreview(server);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchApp();
}

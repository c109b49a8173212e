/**
 * The end-to-end browser (tests/support/browser.ts: the Chromium shipped in @sparticuz/chromium):
 *   BENCH browser.cold_launch_ms — empty cache: unpack (brotli, ~210 MB) + launch + first page, median of 3
 *   BENCH browser.warm_launch_ms — already unpacked: resolve + launch + first page, median of 5
 * Each cold run unpacks into its own temp directory (removed afterwards), never into the shared cache.
 * Run: `npm run bench -- browser`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, resolveChromium } from '../tests/support/browser.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function launchOnce(cacheRoot: string): Promise<number> {
  const start = performance.now();
  const { executablePath } = resolveChromium({}, { cacheRoots: [cacheRoot] });
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  const page = await browser.newPage();
  await page.setContent('<p>ready</p>');
  await page.locator('p').waitFor();
  const elapsed = performance.now() - start;
  await browser.close();
  return elapsed;
}

export async function benchBrowser(): Promise<void> {
  const cold: number[] = [];
  const warm: number[] = [];
  const roots: string[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const root = mkdtempSync(join(tmpdir(), 'mdl-bench-browser-'));
      roots.push(root);
      cold.push(await launchOnce(root));
    }
    for (let i = 0; i < 5; i++) warm.push(await launchOnce(roots[0]!));
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
  console.log(`# cold runs: ${cold.map((t) => t.toFixed(0)).join(', ')} ms; warm runs: ${warm.map((t) => t.toFixed(0)).join(', ')} ms`);
  console.log(`BENCH browser.cold_launch_ms ${median(cold).toFixed(0)} ms`);
  console.log(`BENCH browser.warm_launch_ms ${median(warm).toFixed(0)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchBrowser();
}

import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/support/browser.ts';

/** 4173 by default; E2E_PORT lets parallel local runs avoid each other. */
const PORT = Number(process.env.E2E_PORT ?? 4173);
/** Optional private build directory (E2E_OUTDIR) so a local run is not disturbed by other builds of dist/. */
const OUT = process.env.E2E_OUTDIR;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    // Tests paste code into the editor like a learner would.
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 800 },
        // CHROMIUM_PATH, else the Chromium shipped in the @sparticuz/chromium npm package (unpacked on first use).
        launchOptions: chromiumLaunchOptions(),
      },
    },
  ],
  webServer: {
    command: OUT
      ? `npm run build -- --outDir ${OUT} && npx vite preview --outDir ${OUT} --host 127.0.0.1 --strictPort --port ${PORT}`
      : `npm run build && npx vite preview --host 127.0.0.1 --strictPort --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

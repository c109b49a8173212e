/**
 * The suite runs in the browser a new user gets from `npm install` (tests/support/browser.ts):
 * the Chromium shipped in @sparticuz/chromium, not whatever system browser a machine happens
 * to have. With CHROMIUM_PATH set, that browser is the user's choice and this check stands aside.
 */
import { expect, test } from '@playwright/test';
import { resolveChromium } from '../support/browser.ts';

test('the browser under test is the one shipped in @sparticuz/chromium', async ({ browser }) => {
  const resolved = resolveChromium();
  test.skip(resolved.source === 'CHROMIUM_PATH', `CHROMIUM_PATH chooses the browser (${resolved.executablePath})`);
  expect(`Chromium ${browser.version()}`).toBe(resolved.version);
});

/**
 * What the production build serves from public/: the PWA manifest's icons (real PNGs of the
 * declared sizes), the favicon and robots.txt — and loading the app requests nothing that 404s.
 */
import { expect, test } from '@playwright/test';

test('the manifest, its icons, the favicon and robots.txt are served; nothing the app loads fails', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => failed.push(`failed ${r.url()} ${r.failure()?.errorText}`));
  await page.goto('/');
  await expect(page.locator('[data-exercise-id]').first()).toBeVisible();

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBeTruthy();
  const manifestUrl = new URL(manifestHref!, page.url());
  const manifest = (await (await page.request.get(manifestUrl.href)).json()) as {
    name: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest.name).toBe('Microservices Data Lab');
  expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  for (const icon of manifest.icons) {
    const res = await page.request.get(new URL(icon.src, manifestUrl).href);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()['content-type']).toContain('image/png');
    const body = await res.body();
    expect(body.subarray(1, 4).toString('latin1'), `${icon.src} is a PNG`).toBe('PNG');
    expect(`${body.readUInt32BE(16)}x${body.readUInt32BE(20)}`, `${icon.src} dimensions`).toBe(icon.sizes);
  }

  for (const rel of ['icon', 'apple-touch-icon']) {
    const href = await page.locator(`link[rel="${rel}"]`).getAttribute('href');
    const res = await page.request.get(new URL(href!, page.url()).href);
    expect(res.status(), `${rel} ${href}`).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^image\//);
  }
  const robots = await page.request.get('/robots.txt');
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toContain('User-agent: *');

  await page.waitForLoadState('networkidle');
  expect(failed).toEqual([]);
});

/**
 * Browser proof of the sandbox (sandbox-lab.html, built as an extra Vite entry):
 * the hostile corpus runs in the real browser host (opaque-origin sandboxed
 * iframe + CSP + blob Worker + SES), the page stays responsive while a worker
 * spins, and the worker realm itself has no network and no storage of the app.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { compile, type CompileOk } from '../../src/sandbox/compile.ts';
import { createNodeHost } from '../../src/sandbox/host-node.ts';
import type { TestJob, TestResult } from '../sandbox/test-worker.ts';

// Types only: `window.__sandboxLab` is declared by the lab page module.
export type { LabApi } from '../sandbox/lab/lab-main.ts';

/** Runs a fixture of tests/sandbox in the Node host (as the lab does in the browser: with the grading facade). */
async function runFixtureInNode(fixture: string, seed: number): Promise<TestResult> {
  const host = createNodeHost({ workerEntry: new URL('../sandbox/test-worker.ts', import.meta.url), wallClockMs: 10_000, memoryMb: 128 });
  try {
    const source = readFileSync(new URL(`../sandbox/fixtures/${fixture}`, import.meta.url), 'utf8');
    const compiled = compile(source, fixture) as CompileOk;
    const o = await host.run<TestJob, TestResult>({ compiled, exportName: 'service', seed, maxEvents: 50_000, probeRealm: true, facade: true });
    if (!o.ok) throw new Error(`${fixture} in Node: ${o.kind}: ${o.message}`);
    return o.result;
  } finally {
    await host.close();
  }
}

/** The lab runs in a non-UTC zone: the host-time-zone hostile case, and the digests below, could not fail under UTC. */
const LAB_TIMEZONE = 'America/New_York';

test.describe('browser sandbox', () => {
  test.describe.configure({ timeout: 180_000 });
  test.use({ timezoneId: LAB_TIMEZONE });

  test.beforeEach(async ({ page }) => {
    await page.goto('/sandbox-lab.html');
    await page.waitForFunction(() => window.__sandboxLab?.ready === true, null, { timeout: 60_000 });
    const error = await page.evaluate(() => window.__sandboxLab.error);
    expect(error).toBeUndefined();
  });

  test('every hostile case ends with its expected failure, and the next correct submission passes', async ({ page }) => {
    const cases = await page.evaluate(() => window.__sandboxLab.runCorpus());
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) {
      expect(c.problem, `${c.file}: ${c.got.verdict} ${c.got.message}`).toBeNull();
      expect(c.got.verdict, c.file).not.toBe('pass');
      expect(c.nextPasses, `${c.file}: next submission: ${c.nextMessage}`).toBe(true);
      expect(c.ms, c.file).toBeLessThan(15_000);
    }
    const start = await page.evaluate(() => window.__sandboxLab.workerStartMs);
    console.log(`sandbox lab: worker start ${start.toFixed(0)} ms; cases ${cases.map((c) => `${c.file}=${c.got.verdict}/${c.ms.toFixed(0)}ms`).join(' ')}`);
  });

  test('deterministic globals give the same values in two runs of one seed', async ({ page }) => {
    const [a, b, c] = await page.evaluate(async () => [await window.__sandboxLab.runGood(7), await window.__sandboxLab.runGood(7), await window.__sandboxLab.runGood(8)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test('Chromium and Node produce the same trace digest and values for one seed', async ({ page }) => {
    const inBrowser = await page.evaluate(() => window.__sandboxLab.runGoodDigest(11));
    const inNode = await runFixtureInNode('good.ts', 11);
    expect(inBrowser.reply).toEqual(inNode.reply);
    expect(inBrowser.digest).toBe(inNode.digest);
  });

  test('what learner code reads of the host is the same in Chromium under two time zones and in Node', async ({ page, browser, baseURL }) => {
    const newYork = await page.evaluate(() => window.__sandboxLab.runHostProbe(3));
    const other = await browser.newContext({ timezoneId: 'Asia/Kolkata', baseURL });
    try {
      const kolkataPage = await other.newPage();
      await kolkataPage.goto('/sandbox-lab.html');
      await kolkataPage.waitForFunction(() => window.__sandboxLab?.ready === true, null, { timeout: 60_000 });
      const kolkata = await kolkataPage.evaluate(() => window.__sandboxLab.runHostProbe(3));
      expect(kolkata).toEqual(newYork);
    } finally {
      await other.close();
    }
    const inNode = await runFixtureInNode('host-probe.ts', 3);
    expect(newYork.reply).toEqual(inNode.reply);
    expect(newYork.digest).toBe(inNode.digest);
  });

  test('learner code sees no DOM, storage or network globals', async ({ page }) => {
    const seen = (await page.evaluate(() => window.__sandboxLab.probe())) as { value: Record<string, string> };
    for (const [k, v] of Object.entries(seen.value)) expect(v, k).toBe('undefined');
  });

  test('the worker realm itself (outside SES) has no network and no app storage', async ({ page, baseURL }) => {
    const appUrl = `${baseURL}/index.html`;
    const r = (await page.evaluate(async (url) => {
      return (window as unknown as { __sandboxLabProbeRealm?: (u: string) => Promise<unknown> }).__sandboxLabProbeRealm?.(url);
    }, appUrl)) as { ok: boolean; result: Record<string, string> } | undefined;
    expect(r?.ok, JSON.stringify(r)).toBe(true);
    const facts = r!.result;
    console.log(`sandbox worker realm: ${JSON.stringify(facts)}`);
    expect(facts.origin).toBe('null');
    for (const k of ['fetch', 'xhr', 'websocket', 'importScripts', 'dynamicImport', 'indexedDB', 'caches']) {
      expect(facts[k], k).toMatch(/^refused/);
    }
    // The zone emulation reaches the worker (so the lab's time-zone checks are real), yet learner code never sees it.
    expect(facts.hostTimezoneOffset).toBe('300');
    // Refused by the frame's CSP (inherited by the blob worker), not merely by CORS.
    expect(facts.cspViolations).toContain('connect-src');
    expect(facts.cspViolations).toContain('script-src');
  });

  test('the page answers input while a worker spins in an infinite loop; the loop is killed', async ({ page }) => {
    await page.evaluate(() => {
      const w = window as unknown as { __lag: number; __lagTimer: number; __hang?: Promise<unknown> };
      w.__lag = 0;
      let last = performance.now();
      w.__lagTimer = window.setInterval(() => {
        const now = performance.now();
        w.__lag = Math.max(w.__lag, now - last - 20);
        last = now;
      }, 20);
      w.__hang = window.__sandboxLab.hang(3000);
    });
    await page.waitForTimeout(300); // the loop is running now
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = Number(await page.locator('#pokes').textContent());
      const t0 = Date.now();
      await page.click('#poke');
      await expect(page.locator('#pokes')).toHaveText(String(before + 1));
      latencies.push(Date.now() - t0);
    }
    const outcome = await page.evaluate(() => (window as unknown as { __hang: Promise<{ ok: boolean; kind?: string }> }).__hang);
    const lag = await page.evaluate(() => {
      const w = window as unknown as { __lag: number; __lagTimer: number };
      clearInterval(w.__lagTimer);
      return w.__lag;
    });
    console.log(`sandbox responsiveness: click latencies ${latencies.join(',')} ms; max main-thread timer lag ${lag.toFixed(0)} ms`);
    expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
    // A blocked main thread would show ~3000 ms here; the margins absorb a loaded CI machine.
    expect(Math.max(...latencies)).toBeLessThan(1500);
    expect(lag).toBeLessThan(1000);
    // The replacement worker serves the next run.
    expect(await page.evaluate(() => window.__sandboxLab.runGood(1))).toMatchObject({ value: { pong: 1 } });
  });

  test('the real grading pipeline grades a reference solution: compiled and judged on the page, executed in the sandbox worker', async ({ page }) => {
    const r = await page.evaluate(() => window.__sandboxLab.gradeReference('saga-orchestration-hotel', 10));
    console.log(`sandbox grading worker: start ${r.startMs.toFixed(0)} ms, grade (10 seeds) ${r.ms.toFixed(0)} ms`);
    expect(r.outcome.ok, JSON.stringify(r.outcome).slice(0, 500)).toBe(true);
    if (r.outcome.ok) expect(r.outcome.report.score).toBe(r.outcome.report.maxScore);
  });

  test('the grading corpus in the browser: every case ends as a bounded, escaped report; then the starter grades as in a fresh host', async ({ page }) => {
    test.setTimeout(300_000);
    const cases = await page.evaluate(() => window.__sandboxLab.runGradingCorpus());
    expect(cases.length).toBeGreaterThanOrEqual(9);
    for (const c of cases) {
      if (c.skipped) continue;
      expect(c.problems, c.file).toEqual([]);
      expect(c.starterSame, `${c.file}: ${c.starterDiff}`).toBe(true);
    }
    console.log(`grading corpus: ${cases.map((c) => `${c.file}=${c.skipped ? 'skipped' : `${c.ms.toFixed(0)}ms`}`).join(' ')}`);
    expect(cases.find((c) => c.file === 'poisoned-run.ts')?.skipped).toBeUndefined();
  });
});

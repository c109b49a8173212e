import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { CHROMIUM_ARGS, resolveChromium, unpackChromium } from '../support/browser.ts';

/**
 * tests/support/browser.ts: which browser the e2e tests and app benchmarks launch. The real
 * package is unpacked into private temp directories here (~2 s each), never into the shared cache.
 */
const root = join(import.meta.dirname, '../..');
const temps: string[] = [];
const temp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mdl-browser-'));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true }); // ~210 MB per unpacked browser
});
const noEnv = {} as NodeJS.ProcessEnv;

/** A path no directory can be made at (its parent is a file): "not writable" even for root. */
function blockedPath(): string {
  const file = join(temp(), 'a-file');
  writeFileSync(file, '');
  return join(file, 'cache');
}

/** A stand-in for the npm package: `chromium.br` is a shell script, the tarballs are empty. */
function fakePackage(script: string, version = '0.0.1-test'): string {
  const dir = temp();
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@sparticuz/chromium', version }));
  writeFileSync(join(dir, 'bin', 'chromium.br'), brotliCompressSync(Buffer.from(`#!/bin/sh\n${script}\n`)));
  for (const tar of ['al2023.tar.br', 'fonts.tar.br']) writeFileSync(join(dir, 'bin', tar), brotliCompressSync(Buffer.alloc(1024)));
  return dir;
}

describe('CHROMIUM_PATH', () => {
  it('wins, and nothing is unpacked', () => {
    const cache = temp();
    const got = resolveChromium({ CHROMIUM_PATH: process.execPath }, { cacheRoots: [cache] });
    expect(got).toEqual({ executablePath: process.execPath, source: 'CHROMIUM_PATH' });
    expect(readdirSync(cache)).toEqual([]);
  });

  it('pointing at nothing, a directory or a non-executable file is a clear error', () => {
    const dir = temp();
    const plain = join(dir, 'chrome');
    writeFileSync(plain, 'not a program');
    chmodSync(plain, 0o644);
    for (const [path, why] of [
      [join(dir, 'missing'), /ENOENT/],
      [dir, /not a file/],
      [plain, /EACCES/],
    ] as const) {
      expect(() => resolveChromium({ CHROMIUM_PATH: path })).toThrow(why);
      expect(() => resolveChromium({ CHROMIUM_PATH: path })).toThrow(/^CHROMIUM_PATH=.* is not an executable file .*Unset it to use the Chromium shipped in @sparticuz\/chromium/);
    }
  });
});

describe('the Chromium shipped in @sparticuz/chromium', () => {
  it('is unpacked into the first usable directory, runs, and is found there the next time', () => {
    const cache = temp();
    const got = resolveChromium(noEnv, { cacheRoots: [blockedPath(), cache] });
    expect(got.source).toBe('@sparticuz/chromium');
    expect(got.executablePath).toBe(join(cache, 'chromium-153.0.0', 'chromium'));
    expect(got.version).toMatch(/^Chromium 153\./);
    const run = spawnSync(got.executablePath, ['--version'], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe(got.version);
    expect(readdirSync(cache)).toEqual(['chromium-153.0.0']); // no staging directory left behind
    expect(resolveChromium(noEnv, { cacheRoots: [cache] })).toEqual(got);
  });

  it('without any usable directory the error names each one and the CHROMIUM_PATH way out', () => {
    const a = blockedPath();
    const b = blockedPath();
    let message = '';
    try {
      resolveChromium(noEnv, { cacheRoots: [a, b] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^No browser for the end-to-end tests: could not unpack the Chromium shipped in @sparticuz\/chromium 153\.0\.0/);
    expect(message).toContain(`${a}: ENOTDIR`);
    expect(message).toContain(`${b}: ENOTDIR`);
    expect(message).toMatch(/set CHROMIUM_PATH/);
  });

  it('two processes unpacking into one empty cache at the same time both get the same working browser', async () => {
    const cache = temp();
    const run = (): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/browser.ts'], {
          cwd: root,
          env: { ...process.env, CHROMIUM_PATH: '', MDL_CHROMIUM_CACHE: cache },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => done({ code, out, err }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, a.err, b.code, b.err]).toEqual([0, expect.any(String), 0, expect.any(String)]);
    expect(a.out.trim()).toBe(join(cache, 'chromium-153.0.0', 'chromium'));
    expect(b.out.trim()).toBe(a.out.trim());
    expect(readdirSync(cache)).toEqual(['chromium-153.0.0']);
    expect(spawnSync(a.out.trim(), ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^Chromium 153\./);
    console.log(`# concurrent unpack: ${[a.err, b.err].filter((e) => e.includes('Unpacked')).length} of 2 processes unpacked`);
  }, 180_000);
});

describe('unpacking', () => {
  it('the launched wrapper gives the binary the shipped libraries and fonts, and passes arguments through', () => {
    const pkg = fakePackage('[ "$1" = --version ] && echo "Chromium 1.2.3" || echo "Chromium 1.2.3|$LD_LIBRARY_PATH|$FONTCONFIG_FILE|$*"');
    const cache = temp();
    const got = unpackChromium(pkg, cache);
    const dir = join(cache, 'chromium-0.0.1-test');
    expect(got.executablePath).toBe(join(dir, 'chromium'));
    const run = spawnSync(got.executablePath, ['--flag', 'two words'], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '/elsewhere' } });
    expect(run.stdout.trim()).toBe(`Chromium 1.2.3|${join(dir, 'lib')}:/elsewhere|${join(dir, 'fonts.conf')}|--flag two words`);
  });

  it('a binary that does not run here is refused with its own message and leaves nothing behind', () => {
    const pkg = fakePackage('echo "cannot open shared object file: libnss3.so" >&2; exit 127');
    const cache = temp();
    expect(() => unpackChromium(pkg, cache)).toThrow(/the unpacked browser does not run \(exit 127\): cannot open shared object file: libnss3\.so/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('removes staging directories abandoned by killed processes, not ones still in progress', () => {
    const cache = temp();
    const old = join(cache, '.unpacking-old');
    const recent = join(cache, '.unpacking-recent');
    mkdirSync(old);
    mkdirSync(recent);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, hourAgo, hourAgo);
    unpackChromium(fakePackage('echo Chromium 1.2.3'), cache);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });
});

it('launch flags leave out the Lambda flags that change service workers, workers and iframes', () => {
  for (const lambdaOnly of ['--single-process', '--no-zygote', '--disable-web-security', '--disable-site-isolation-trials']) {
    expect(CHROMIUM_ARGS).not.toContain(lambdaOnly);
  }
  expect(CHROMIUM_ARGS).toContain('--disable-background-networking');
});

import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { extractTar } from './untar.ts';

/**
 * The one place that decides which Chromium drives the end-to-end tests (playwright.config.ts)
 * and the app benchmarks (bench/app.ts): `CHROMIUM_PATH` if set, otherwise the Chromium that ships
 * inside the `@sparticuz/chromium` npm package, so `npm install && npm test` needs no system
 * browser (docs/decisions.md, "End-to-end browser"). Never a system browser by accident.
 *
 * The package's own `executablePath()` is not used: it unpacks into fixed names in the system tmp
 * directory (parallel processes can see a half-written binary), is async (Playwright evaluates its
 * config synchronously), and sets Lambda-only environment. Instead this unpacks once per package
 * version into `node_modules/.cache/mdl-chromium/` (or `<tmp>/mdl-chromium-<uid>/` when that is not
 * writable, or `MDL_CHROMIUM_CACHE`), building the directory under a private name and renaming it
 * into place, so concurrent test processes either find a complete browser or build their own copy.
 *
 * What gets launched is a small shell wrapper that points the binary at the libraries (NSS, NSPR,
 * expat) and fonts shipped in the same package, so the browser does not depend on what the system
 * happens to have installed.
 */

/**
 * Flags for every launch. The package's recommended Lambda flags (`--single-process`, `--no-zygote`,
 * `--disable-web-security`, site isolation off) are deliberately not used: they change how service
 * workers, workers and sandboxed iframes behave, which the e2e suite exists to check.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox', // runs as root in CI
  '--disable-gpu',
  // The machines' closed network refuses Chromium's own background connections: don't make them.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ResolvedChromium {
  executablePath: string;
  source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
  /** `--version` output of the unpacked browser (e.g. "Chromium 153.0.8010.0"); unknown for CHROMIUM_PATH. */
  version?: string;
}

const PACKAGE = '@sparticuz/chromium';
const WRAPPER = 'chromium';

/**
 * Resolves the browser (unpacking it on first use). Throws an actionable message if there is none.
 * `cacheRoots` replaces the default directories to try, in order (tests).
 */
export function resolveChromium(env: NodeJS.ProcessEnv = process.env, options: { cacheRoots?: readonly string[] } = {}): ResolvedChromium {
  const override = env.CHROMIUM_PATH;
  if (override) return { executablePath: checkOverride(override), source: 'CHROMIUM_PATH' };
  if (`${process.platform}-${process.arch}` !== 'linux-x64') {
    throw new Error(`The Chromium shipped in ${PACKAGE} is built for Linux x64, not ${process.platform}-${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome executable.`);
  }
  const pkg = locatePackage();
  const roots =
    options.cacheRoots ??
    (env.MDL_CHROMIUM_CACHE
      ? [resolve(env.MDL_CHROMIUM_CACHE)]
      : [join(pkg.dir, '..', '..', '.cache', 'mdl-chromium'), join(tmpdir(), `mdl-chromium-${process.getuid?.() ?? 'user'}`)]);
  const failures: string[] = [];
  for (const root of roots) {
    try {
      return { ...unpackChromium(pkg.dir, root), source: PACKAGE };
    } catch (error) {
      failures.push(`  ${root}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    `No browser for the end-to-end tests: could not unpack the Chromium shipped in ${PACKAGE} ${pkg.version}:\n` +
      `${failures.join('\n')}\n` +
      'Free disk space or make one of these directories writable (or set MDL_CHROMIUM_CACHE), ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
  );
}

/** Playwright `launchOptions` for the resolved browser. */
export function chromiumLaunchOptions(env: NodeJS.ProcessEnv = process.env): { executablePath: string; args: string[] } {
  return { executablePath: resolveChromium(env).executablePath, args: [...CHROMIUM_ARGS] };
}

function checkOverride(path: string): string {
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.X_OK);
  } catch (error) {
    const why = error instanceof Error && 'code' in error ? String(error.code) : error instanceof Error ? error.message : String(error);
    throw new Error(`CHROMIUM_PATH=${path} is not an executable file (${why}). Unset it to use the Chromium shipped in ${PACKAGE}.`);
  }
  return path;
}

function locatePackage(): { dir: string; version: string } {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(PACKAGE);
  } catch {
    throw new Error(`${PACKAGE} is not installed: run \`npm install\` (or set CHROMIUM_PATH to a Chromium executable).`);
  }
  const dir = join(dirname(entry), '..'); // <pkg>/build/index.js
  return { dir, version: packageVersion(dir) };
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The browser of the package at `packageDir` unpacked under `root` (`<root>/chromium-<version>/`),
 * unpacking it if it is not there yet.
 */
export function unpackChromium(packageDir: string, root: string): { executablePath: string; version: string } {
  const pkg = { dir: packageDir, version: packageVersion(packageDir) };
  const final = join(root, `chromium-${pkg.version}`);
  const done = (): { executablePath: string; version: string } => ({
    executablePath: join(final, WRAPPER),
    version: readFileSync(join(final, 'version'), 'utf8').trim(),
  });
  // The directory only ever appears complete (rename below), so its wrapper means it is usable.
  if (existsSync(join(final, WRAPPER))) return done();

  const started = performance.now();
  mkdirSync(root, { recursive: true });
  removeAbandoned(root);
  const staging = mkdtempSync(join(root, '.unpacking-'));
  try {
    const bin = join(pkg.dir, 'bin');
    const inflate = (name: string): Buffer => brotliDecompressSync(readFileSync(join(bin, name)));
    writeFileSync(join(staging, 'chromium-bin'), inflate('chromium.br'), { mode: 0o755 });
    extractTar(inflate('al2023.tar.br'), staging); // lib/: NSS, NSPR, expat
    extractTar(inflate('fonts.tar.br'), staging); // fonts/ (Open Sans); its Lambda fonts.conf is replaced below
    writeFileSync(join(staging, 'fonts.conf'), fontsConf(final));
    const version = probeVersion(staging);
    writeFileSync(join(staging, 'version'), `${version}\n`);
    writeFileSync(join(staging, WRAPPER), wrapper(final, pkg.version), { mode: 0o755 });
    chmodSync(staging, 0o755); // mkdtemp makes it private; the browser is not a secret
    try {
      renameSync(staging, final);
    } catch (error) {
      // Another process finished first: use its copy (identical).
      if (!existsSync(join(final, WRAPPER))) throw error;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`Unpacked ${version} from ${PACKAGE} ${pkg.version} into ${final} (${seconds} s)\n`);
    return done();
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Runs the unpacked binary once: proves it is executable here (no `noexec` mount, libraries load). */
function probeVersion(staging: string): string {
  const run = spawnSync(join(staging, 'chromium-bin'), ['--version'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LD_LIBRARY_PATH: join(staging, 'lib') },
  });
  if (run.error) throw new Error(`the unpacked browser does not run (${run.error.message})`);
  if (run.status !== 0 || !/^Chromium \d/.test(run.stdout)) {
    throw new Error(`the unpacked browser does not run (exit ${run.status}): ${(run.stderr || run.stdout).trim().slice(-500)}`);
  }
  return run.stdout.trim();
}

/** Staging directories left by killed processes (a real unpack takes seconds, not minutes). */
function removeAbandoned(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith('.unpacking-')) continue;
    const path = join(root, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function wrapper(dir: string, version: string): string {
  return [
    '#!/bin/sh',
    `# Chromium from ${PACKAGE} ${version}, unpacked by tests/support/browser.ts:`,
    '# its own NSS/NSPR/expat libraries and fonts, whatever the system has installed.',
    `LD_LIBRARY_PATH=${shellQuote(join(dir, 'lib'))}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}`,
    `FONTCONFIG_FILE=${shellQuote(join(dir, 'fonts.conf'))}`,
    'export LD_LIBRARY_PATH FONTCONFIG_FILE',
    `exec ${shellQuote(join(dir, 'chromium-bin'))} "$@"`,
    '',
  ].join('\n');
}

/** The shipped fonts are always there; the system's fonts are added where it has any. */
function fontsConf(dir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <cachedir>${xmlEscape(join(dir, 'fontconfig-cache'))}</cachedir>`,
    `  <dir>${xmlEscape(join(dir, 'fonts'))}</dir>`,
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    '</fontconfig>',
    '',
  ].join('\n');
}

// `npx tsx tests/support/browser.ts` prints the browser's path (e.g. for screenshots by hand).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(resolveChromium().executablePath);
}

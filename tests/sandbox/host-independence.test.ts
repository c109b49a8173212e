import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The grade's promise: same code + exercise version + seeds ⇒ same grade and
 * traceDigest on any machine. Grades one submission through the real CLI
 * (`npm run grade -- … --json`) under three TZ values and from two checkout
 * paths. The submission is the reference solution plus a probe that logs (so
 * the trace, and with it the digest, carries) everything a learner can read
 * that could depend on the host: dates in every form, locale-dependent
 * methods, stacks of its own and of kernel errors (module top level, handler,
 * timer), and host functions' source text.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const EXERCISE = 'saga-orchestration-hotel';
const SEEDS = '12';

const PROBE = `
function hostProbe(where: string, ctx?: any): string {
  const out: Record<string, unknown> = { where };
  const d = new Date(2025, 0, 15, 10, 30);
  Object.assign(out, {
    components: d.getTime(), hours: d.getHours(), year: (d as any).getYear(), offset: d.getTimezoneOffset(),
    string: String(d), dateString: d.toDateString(), timeString: d.toTimeString(),
    locale: d.toLocaleString('en-US', { timeZone: 'America/New_York' }), localeDate: d.toLocaleDateString('de-DE'), localeTime: d.toLocaleTimeString(),
    parse: [Date.parse('Jan 15 2025 10:30'), Date.parse('2025/01/15 10:30'), Date.parse('2025-01-15 10:30'), Date.parse('2025-01-15T10:30'), Date.parse('15 January 2025')],
    fromString: new Date('March 7, 2025 23:59').getTime(),
    setYear: (() => { const y: any = new Date(0); y.setYear(99); return y.getTime(); })(),
    globalDate: (() => { try { return (globalThis as any).Date.parse('Jan 15 2025 10:30'); } catch (e: any) { return e.message; } })(),
    numberLocale: (1234567.891).toLocaleString('de-DE'), compare: ['b', 'a', 'B', 'ä'].sort((x, y) => x.localeCompare(y)), upper: 'i'.toLocaleUpperCase('tr'),
    intl: typeof (globalThis as any).Intl,
    ownStack: new Error('own').stack,
    requireStack: (() => { try { require('fs'); } catch (e: any) { return e.stack; } })(),
    jsonStack: (() => { try { JSON.parse('{'); } catch (e: any) { return e.stack; } })(),
    sources: [setTimeout, Date, Math.random, console.log].map((f) => String(f)),
  });
  if (ctx) {
    try { ctx.send('nobody-here', 'x'); } catch (e: any) { out.kernelStack = e.stack; out.kernelProto = Object.getOwnPropertyNames(Object.getPrototypeOf(e)).join(','); }
    out.ctxSource = [ctx.call, ctx.db.get, ctx.log.info].map((f: unknown) => String(f));
  }
  return JSON.stringify(out);
}
console.log(hostProbe('module'));
setTimeout(() => console.log(hostProbe('timer')), 1);
`;

/** The reference solution with every exported service wrapped by a probe. */
function probeSubmission(): string {
  const solution = readFileSync(join(root, 'solutions', `${EXERCISE}.ts`), 'utf8');
  const exports: string[] = [];
  const renamed = solution.replace(/export function (\w+)\(ctx: ServiceContext\)/g, (_m, name: string) => {
    exports.push(name);
    return `function __probed_${name}(ctx: ServiceContext)`;
  });
  expect(exports.length).toBeGreaterThan(0);
  const wrappers = exports.map((n) => `export function ${n}(ctx: ServiceContext) {\n  ctx.log.info(hostProbe('start', ctx));\n  return __probed_${n}(ctx);\n}`).join('\n');
  return `${renamed}\n${PROBE}\n${wrappers}\n`;
}

interface CliGrade {
  score: number;
  maxScore: number;
  traceDigest: string;
}

function gradeCli(cwd: string, file: string, tz: string): Promise<CliGrade> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'grade', '--', file, '--exercise', EXERCISE, '--seeds', SEEDS, '--json'], {
      cwd,
      env: { ...process.env, TZ: tz },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`grade exited ${code} under TZ=${tz} in ${cwd}: ${err || out}`));
      try {
        resolve(JSON.parse(out) as CliGrade);
      } catch {
        reject(new Error(`not JSON under TZ=${tz}: ${out.slice(0, 500)}`));
      }
    });
  });
}

let work: string;
let otherCheckout: string;
let submission: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mdl-host-independence-'));
  submission = join(work, 'probed-solution.ts');
  writeFileSync(submission, probeSubmission());
  // A second checkout at another path (longer, different depth): the source tree copied, each
  // dependency linked — but node_modules itself is a real directory, so the worker bundle the CLI
  // builds into node_modules/.cache lives (and runs) under this path, not the first checkout's.
  otherCheckout = join(work, 'another', 'checkout', 'of-the-lab');
  for (const dir of ['src', 'exercises', 'solutions', 'bin']) cpSync(join(root, dir), join(otherCheckout, dir), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(root, f), join(otherCheckout, f));
  mkdirSync(join(otherCheckout, 'node_modules'));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(root, 'node_modules', entry), join(otherCheckout, 'node_modules', entry), 'dir');
  }
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a grade does not depend on the host', () => {
  it('same score and traceDigest under TZ=UTC, America/New_York, Asia/Kolkata and from two checkout paths', async () => {
    // Sequential: each CLI run starts its own worker, and the machine is shared.
    const utc = await gradeCli(root, submission, 'UTC');
    const others: [string, CliGrade][] = [
      ['TZ=America/New_York', await gradeCli(root, submission, 'America/New_York')],
      ['TZ=Asia/Kolkata', await gradeCli(root, submission, 'Asia/Kolkata')],
      // Same zone as the reference run: only the checkout path differs.
      ['another checkout path', await gradeCli(otherCheckout, submission, 'UTC')],
    ];
    expect(utc.score).toBe(utc.maxScore); // the probe does not disturb the solution
    const differing = others.filter(([, g]) => g.score !== utc.score || g.traceDigest !== utc.traceDigest).map(([name, g]) => `${name}: ${g.score} ${g.traceDigest}`);
    expect(differing, `reference (TZ=UTC): ${utc.score} ${utc.traceDigest}`).toEqual([]);
  }, 240_000);
});

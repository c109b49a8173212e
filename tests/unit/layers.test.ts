import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The architecture's one-way layers, enforced: src/sim ← src/sandbox ← src/grading ←
 * src/app and src/cli; src/persistence is used only by the app. The kernel also
 * stays free of the DOM, real time and unseeded randomness.
 */
const root = join(import.meta.dirname, '../..');
const order = ['sim', 'sandbox', 'grading', 'app'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mjs)$/.test(f) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

function layerOf(path: string): string | undefined {
  const m = /^src\/([^/]+)\//.exec(path);
  return m?.[1];
}

describe('layers', () => {
  const all = files(join(root, 'src')).map((f) => relative(root, f));

  it('no module imports a higher layer (persistence only from the app)', () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = layerOf(f)!;
      for (const spec of imports(join(root, f))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, join(root, f, '..', spec));
        const to = layerOf(target);
        if (!to) continue;
        if (to === 'persistence' && from !== 'app' && from !== 'persistence') bad.push(`${f} -> ${target}`);
        const fi = order.indexOf(from);
        const ti = order.indexOf(to);
        if (fi >= 0 && ti >= 0 && ti > fi) bad.push(`${f} -> ${target}`);
        if (from === 'cli' && to === 'app') bad.push(`${f} -> ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the kernel uses no DOM, real clock, real timers or unseeded randomness', () => {
    const bad: string[] = [];
    for (const f of all.filter((p) => p.startsWith('src/sim/'))) {
      const src = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const forbidden of ['Math.random', 'Date.now', 'new Date', 'performance.now', 'setTimeout', 'setInterval', 'document.', 'window.', 'localStorage', 'indexedDB', 'fetch(']) {
        if (src.includes(forbidden)) bad.push(`${f}: ${forbidden}`);
      }
      for (const spec of imports(join(root, f))) if (spec.startsWith('node:')) bad.push(`${f}: imports ${spec}`);
    }
    expect(bad).toEqual([]);
  });
});

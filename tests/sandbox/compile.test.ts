import { describe, expect, it } from 'vitest';
import { compile } from '../../src/sandbox/compile.ts';
import { decodeSourceMap, originalPosition } from '../../src/sandbox/source-map.ts';
import { describeError, formatThrown } from '../../src/sandbox/errors.ts';

function diagnostics(src: string) {
  const r = compile(src, 'learner.ts');
  if (r.ok) throw new Error(`expected diagnostics, got JS:\n${r.js}`);
  return r.diagnostics;
}

describe('compile', () => {
  it('erases type imports and types, keeps exports as CommonJS properties', () => {
    const r = compile(
      `import type { ServiceContext } from './api';\nimport { Json } from './api';\nexport function orchestrator(ctx: ServiceContext): Json { return ctx.service; }\nexport const k: number = 1;\nexport default 2;`,
      'a.ts',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.js).not.toMatch(/require\(/);
    expect(r.js).toMatch(/exports\.orchestrator = orchestrator/);
    expect(r.js).toMatch(/exports\.k = 1/);
    expect(r.js).toMatch(/exports\.default = 2/);
    expect(JSON.parse(r.sourceMap).sources).toEqual(['a.ts']);
  });

  it('keeps value namespaces and enums (fidelity that sucrase lacks)', () => {
    const r = compile('namespace N { export const v = 2; }\nconst enum E { A = 3 }\nexport const r = N.v + E.A;');
    expect(r.ok && /N\.v = 2/.test(r.js) && /E\[E\["A"\] = 3\]/.test(r.js)).toBe(true);
  });

  it('reports syntax errors at the learner line:column', () => {
    const d = diagnostics('export function f() {\n  const x = 1 +;\n  return x;\n}');
    expect(d[0]).toMatchObject({ line: 2, column: 16 });
    expect(d[0]!.message).toMatch(/Syntax error.*Expression expected/);
  });

  it.each([
    ['value import', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 1, /Value import from 'node:fs'/],
    ['side-effect import', "import 'node:fs';", 1, /Side-effect import/],
    ['re-export', "export * from './other';", 1, /Re-export/],
    ['import require', "import fs = require('fs');\nexport const x = fs;", 1, /require/],
    ['dynamic import', "export async function f() {\n  return await import('node:fs');\n}", 2, /Dynamic `import\(\)`/],
    ['import.meta', 'export const u = import.meta.url;', 1, /import\.meta/],
    ['top-level await', 'const x = await Promise.resolve(1);\nexport const y = x;', 1, /Top-level `await`/],
    ['export =', 'const a = 1;\nexport = a;', 2, /export =/],
    ['SES-refused text in a string', 'export const s = "a <!-- b";', 1, /refuses the text/],
  ])('refuses %s with a clear diagnostic', (_name, src, line, msg) => {
    const d = diagnostics(src);
    expect(d[0]!.line).toBe(line);
    expect(d.map((x) => x.message).join('\n')).toMatch(msg);
    expect(d[0]!.message).toMatch(/ \/ /); // bilingual
  });

  it('injects a loop guard with a random name per compilation and the learner line', () => {
    const src = 'export function f() {\n  let i = 0;\n  while (i < 3) i++;\n  for (const x of [1]) i += x;\n  return i;\n}';
    const a = compile(src);
    const b = compile(src);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.loopGuard).toMatch(/^__mdlLoopGuard_/);
    expect(a.loopGuard).not.toBe(b.loopGuard);
    expect(a.js).toContain(`${a.loopGuard}(3)`);
    expect(a.js).toContain(`${a.loopGuard}(4)`);
    const off = compile(src, 'x.ts', { loopGuard: false });
    expect(off.ok && off.loopGuard === undefined && !off.js.includes('__mdlLoopGuard_')).toBe(true);
  });

  it('produces a source map that maps generated positions back to learner lines', () => {
    const src = "import type { A } from './api';\n\ninterface B { x: number }\nexport function f(a: A): number {\n  const b: B = { x: 1 };\n  throw new Error('at line 6 ' + b.x);\n}";
    const r = compile(src, 'm.ts');
    if (!r.ok) throw new Error('compile failed');
    const jsLines = r.js.split('\n');
    const genLine = jsLines.findIndex((l) => l.includes('throw new Error')) + 1;
    const col = jsLines[genLine - 1]!.indexOf('throw') + 1;
    expect(originalPosition(decodeSourceMap(r.sourceMap), genLine, col)).toEqual({ line: 6, column: 3 });
  });
});

describe('describeError (no realm needed)', () => {
  it('reports thrown non-Errors sanely', () => {
    expect(describeError(42).message).toMatch(/not an Error.*42$/);
    expect(describeError(null).message).toMatch(/null$/);
    expect(describeError(undefined).message).toMatch(/undefined$/);
    expect(describeError({}).message).toMatch(/\{\}$/);
    expect(describeError('boom').message).toMatch(/"boom"$/);
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(describeError(circular).message).toContain('[Circular]');
    expect(describeError(42).name).toBe('NonErrorThrown');
  });

  it('does not run getters of thrown objects', () => {
    let ran = false;
    const hostile = { get message() { ran = true; return 'x'; }, get stack() { ran = true; return 'y'; } };
    describeError(hostile);
    formatThrown(hostile);
    expect(ran).toBe(false);
  });
});

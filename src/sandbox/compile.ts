/**
 * Learner TypeScript -> JavaScript, with the same transpiler in the browser and
 * in Node: `typescript` 5.9 `transpileModule` (see docs/decisions.md, "Sandbox").
 *
 * The output is a CommonJS-style function body (`exports.x = ...`) that
 * module-factory.ts wraps as `(function (exports, module, require) { ... })` and
 * evaluates inside a fresh SES Compartment. Nothing here executes learner code:
 * it is safe to call on any realm (UI main thread, Node host, worker).
 *
 * Guarantees:
 *  - syntax errors come back as diagnostics with 1-based line:column in the
 *    learner's file;
 *  - constructs the sandbox cannot run (value imports, re-exports, dynamic
 *    `import()`, `import.meta`, `export =`, top-level `await`, text the SES
 *    evaluator refuses) are diagnostics, never silent miscompiles;
 *  - every loop body starts with a call to a loop guard whose name is random per
 *    compilation (`CompileOk.loopGuard`), carrying the learner's line number.
 */
import ts from 'typescript';
import { decodeSourceMap, originalPosition } from './source-map.ts';

export interface Diagnostic {
  /** 1-based line in the learner's file. */
  line: number;
  /** 1-based column in the learner's file. */
  column: number;
  /** Bilingual (English / Russian) message. */
  message: string;
}

export interface CompileOk {
  ok: true;
  js: string;
  /** Source map v3 (JSON text) of `js` against the learner's file. */
  sourceMap: string;
  /** The learner's file name (as given to compile). */
  fileName: string;
  /** Identifier of the injected loop guard (random per compilation); absent when disabled. */
  loopGuard?: string;
}

export interface CompileError {
  ok: false;
  diagnostics: Diagnostic[];
}

export type CompileResult = CompileOk | CompileError;

export interface CompileOptions {
  /** Inject the loop-iteration guard into loop bodies (default true). */
  loopGuard?: boolean;
  /** Module specifiers a value import may name (e.g. a library the grader endows); default none. */
  allowedModules?: readonly string[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  sourceMap: true,
  inlineSources: false,
  removeComments: true,
  isolatedModules: true,
  esModuleInterop: false,
  alwaysStrict: true,
  useDefineForClassFields: true,
  newLine: ts.NewLineKind.LineFeed,
  // Decorators: TC39 (standard) semantics; experimental ones are not enabled.
  experimentalDecorators: false,
};

/** Same patterns the SES evaluator rejects (ses/src/transforms.js), applied to the emitted JS. */
const SES_REJECTIONS: { pattern: RegExp; what: string }[] = [
  { pattern: /(?:<!--|-->)/g, what: '`<!--` or `-->` (HTML-like comment tokens)' },
  { pattern: /(^|[^.]|\.\.\.)\bimport(\s*(?:\(|\/[/*]))/g, what: '`import(` (dynamic import)' },
  { pattern: /(^|[^.])\beval(\s*\()/g, what: '`eval(` (direct eval)' },
];

function randomId(): string {
  // Not security-relevant: the guard name only has to be unguessable to a
  // learner writing source text in advance.
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) {
    const a = c.getRandomValues(new Uint32Array(2));
    return a[0]!.toString(36) + a[1]!.toString(36);
  }
  return Math.floor(Math.random() * 2 ** 52).toString(36);
}

function diag(sf: ts.SourceFile, pos: number, en: string, ru: string): Diagnostic {
  const lc = sf.getLineAndCharacterOfPosition(pos);
  return { line: lc.line + 1, column: lc.character + 1, message: `${en} / ${ru}` };
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'` has side effects: a value import
  if (clause.isTypeOnly) return true;
  return false;
}

/** Walks the original AST for constructs the sandbox refuses outright. */
function checkSource(sf: ts.SourceFile, allowed: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const moduleName = (n: ts.Expression | undefined) => (n && ts.isStringLiteral(n) ? n.text : '?');

  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && !isTypeOnlyImport(st) && !st.importClause) {
      const m = moduleName(st.moduleSpecifier);
      if (!allowed.has(m))
        out.push(diag(sf, st.getStart(sf), `Side-effect import '${m}' is not available: the sandbox has no modules. Use \`import type\` for types.`,
          `Импорт '${m}' недоступен: в песочнице нет модулей. Для типов используйте \`import type\`.`));
    }
    if (ts.isImportEqualsDeclaration(st) && !st.isTypeOnly && ts.isExternalModuleReference(st.moduleReference)) {
      out.push(diag(sf, st.getStart(sf), '`import x = require(...)` is not available: the sandbox has no modules.',
        '`import x = require(...)` недоступен: в песочнице нет модулей.'));
    }
    if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) {
      const m = moduleName(st.moduleSpecifier);
      if (!allowed.has(m))
        out.push(diag(sf, st.getStart(sf), `Re-export from '${m}' is not available: the sandbox has no modules.`,
          `Реэкспорт из '${m}' недоступен: в песочнице нет модулей.`));
    }
    if (ts.isExportAssignment(st) && st.isExportEquals) {
      out.push(diag(sf, st.getStart(sf), '`export =` is not supported; use `export function name(...)`.',
        '`export =` не поддерживается; используйте `export function name(...)`.'));
    }
  }

  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      out.push(diag(sf, node.getStart(sf), 'Dynamic `import()` is not available in the sandbox (no modules, no network).',
        'Динамический `import()` недоступен в песочнице (нет модулей и сети).'));
    }
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      out.push(diag(sf, node.getStart(sf), '`import.meta` is not available in the sandbox.', '`import.meta` недоступен в песочнице.'));
    }
    if (!inFunction && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier))) {
      out.push(diag(sf, node.getStart(sf), 'Top-level `await` is not supported: put it inside your exported function.',
        '`await` на верхнем уровне не поддерживается: перенесите его внутрь экспортируемой функции.'));
    }
    if (!inFunction && ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) {
      out.push(diag(sf, node.getStart(sf), 'Top-level `await using` is not supported.', '`await using` на верхнем уровне не поддерживается.'));
    }
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && !(ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Ambient)) {
      out.push(diag(sf, node.getStart(sf), 'Module declarations are not supported.', 'Объявления модулей не поддерживаются.'));
    }
    const fn = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    // Types never reach the output: skip them (they may contain `import("x").T`).
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    ts.forEachChild(node, (c) => visit(c, fn));
  };
  visit(sf, false);
  return out;
}

/** `before` transformer: prepends `guard(line)` to every loop body. */
function loopGuardTransformer(guard: string, sf0: ts.SourceFile): ts.TransformerFactory<ts.SourceFile> {
  return (context) => {
    const f = context.factory;
    const guardCall = (node: ts.Node) => {
      const line = sf0.getLineAndCharacterOfPosition(node.getStart(sf0)).line + 1;
      return f.createExpressionStatement(f.createCallExpression(f.createIdentifier(guard), undefined, [f.createNumericLiteral(line)]));
    };
    const wrapBody = (loop: ts.Node, body: ts.Statement): ts.Statement => {
      const call = guardCall(loop);
      if (ts.isBlock(body)) return f.updateBlock(body, [call, ...body.statements]);
      return f.createBlock([call, body], true);
    };
    const visitor = (node: ts.Node): ts.Node => {
      const n = ts.visitEachChild(node, visitor, context);
      if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, wrapBody(node, n.statement));
      if (ts.isDoStatement(n)) return f.updateDoStatement(n, wrapBody(node, n.statement), n.expression);
      if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, wrapBody(node, n.statement));
      if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, wrapBody(node, n.statement));
      if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, wrapBody(node, n.statement));
      return n;
    };
    return (sf) => ts.visitEachChild(sf, visitor, context);
  };
}

/** `after` transformer: detects imports that survived type elision (value imports). */
function valueImportDetector(found: ts.Node[]): ts.TransformerFactory<ts.SourceFile> {
  return () => (sf) => {
    for (const st of sf.statements) {
      const orig = ts.getOriginalNode(st);
      if (orig !== st && (ts.isImportDeclaration(orig) || ts.isImportEqualsDeclaration(orig))) found.push(orig);
    }
    return sf;
  };
}

/** 1-based (line, column) of a character offset in `text`. */
function lineCol(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: index - last };
}

/**
 * Transpiles one learner file. `fileName` is what diagnostics and mapped stack
 * traces show (default `solution.ts`).
 */
export function compile(source: string, fileName = 'solution.ts', options: CompileOptions = {}): CompileResult {
  const allowed = new Set(options.allowedModules ?? []);
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);

  // 1. Syntax errors (the parser's own diagnostics).
  const parseDiags = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (parseDiags.length > 0) {
    return {
      ok: false,
      diagnostics: parseDiags.map((d) => {
        const lc = sf.getLineAndCharacterOfPosition(d.start);
        return { line: lc.line + 1, column: lc.character + 1, message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} / Синтаксическая ошибка` };
      }),
    };
  }

  // 2. Constructs the sandbox refuses.
  const refused = checkSource(sf, allowed);

  // 3. Transpile (with loop guards), and catch imports that were not elided.
  const guard = options.loopGuard === false ? undefined : `__mdlLoopGuard_${randomId()}`;
  const kept: ts.Node[] = [];
  const out = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: COMPILER_OPTIONS,
    transformers: {
      before: guard ? [loopGuardTransformer(guard, sf)] : [],
      after: [valueImportDetector(kept)],
    },
  });
  for (const d of out.diagnostics ?? []) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const lc = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    refused.push({ line: lc.line + 1, column: lc.character + 1, message: `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (TS${d.code})` });
  }
  for (const node of kept) {
    const spec = ts.isImportDeclaration(node) ? node.moduleSpecifier : undefined;
    const m = spec && ts.isStringLiteral(spec) ? spec.text : '?';
    if (allowed.has(m)) continue;
    // Report at the node's position in the learner's source (same text: use sf positions).
    const mine = sf.statements.find((st) => st.pos === node.pos && st.end === node.end);
    const pos = mine ? mine.getStart(sf) : 0;
    refused.push(diag(sf, pos, `Value import from '${m}' is not available: the sandbox has no modules. Use \`import type { ... }\` if you only need types.`,
      `Импорт значений из '${m}' недоступен: в песочнице нет модулей. Для типов используйте \`import type { ... }\`.`));
  }

  let js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const sourceMap = out.sourceMapText ?? '{"version":3,"sources":[],"names":[],"mappings":""}';

  // 4. Text the SES evaluator would reject (it scans text, even inside strings).
  if (refused.length === 0) {
    for (const { pattern, what } of SES_REJECTIONS) {
      pattern.lastIndex = 0;
      const m = pattern.exec(js);
      if (!m) continue;
      const at = lineCol(js, m.index + (m[1]?.length ?? 0));
      // Map the position back to the learner's file through the source map.
      const mapped = mapWithTsMap(sourceMap, at.line, at.column);
      refused.push({
        line: mapped?.line ?? 1,
        column: mapped?.column ?? 1,
        message: `The sandbox refuses the text ${what}, even inside strings: rewrite it (e.g. split the string).`
          + ` / Песочница не принимает текст ${what}, даже внутри строк: перепишите его (например, разбейте строку).`,
      });
    }
  }

  if (refused.length > 0) {
    refused.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, diagnostics: refused };
  }
  js = js.replace(/\s+$/, '\n');
  return guard ? { ok: true, js, sourceMap, fileName, loopGuard: guard } : { ok: true, js, sourceMap, fileName };
}


function mapWithTsMap(map: string, line: number, column: number) {
  try {
    return originalPosition(decodeSourceMap(map), line, column);
  } catch {
    return undefined;
  }
}

/** Formats diagnostics as `file:line:column message` lines. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], fileName = 'solution.ts'): string {
  return diagnostics.map((d) => `${fileName}:${d.line}:${d.column} ${d.message}`).join('\n');
}

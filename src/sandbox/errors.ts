/**
 * Learner-facing error descriptions: stacks mapped to the learner's file via
 * the source map, and sane reports for thrown non-Errors (`throw 42`,
 * `throw {}`, `throw null`). Pure and realm-independent: usable in the worker
 * (where learner code runs) and in tests.
 */
import { errorField, errorText, isError, showValue } from '../sim/boundary.ts';
import { clipText } from '../sim/errors.ts';
import { decodeSourceMap, originalPosition, type DecodedMap } from './source-map.ts';

/** What describeError needs from a CompileOk. */
export interface CompiledLike {
  js: string;
  sourceMap: string;
  fileName?: string;
}

export interface ErrorDescription {
  /** Error name (`TypeError`, ...) or `NonErrorThrown`. */
  name: string;
  /** One line, e.g. `TypeError: x is not a function` or `Thrown value (not an Error): 42`. */
  message: string;
  /** 1-based line in the learner's file of the innermost learner frame. */
  line?: number;
  column?: number;
  /** Mapped stack: message line + learner frames only (`at fn (solution.ts:12:5)`). */
  stack?: string;
}

/** Lines the module wrapper adds before the compiled JS (see module-factory.ts). */
export const WRAPPER_PREFIX_LINES = 1;

/** Scheme + root of the `//# sourceURL` of evaluated learner code: the only frames a stack ever shows. */
export const LEARNER_URL_PREFIX = 'learner:///';

/** The `//# sourceURL` given to evaluated learner code. */
export function learnerUrl(fileName: string): string {
  return `${LEARNER_URL_PREFIX}${fileName.replace(/[\s()]/g, '_')}`;
}

const mapCache = new WeakMap<object, DecodedMap>();
function mapOf(compiled: CompiledLike): DecodedMap | undefined {
  const cached = mapCache.get(compiled);
  if (cached) return cached;
  try {
    const m = decodeSourceMap(compiled.sourceMap);
    mapCache.set(compiled, m);
    return m;
  } catch {
    return undefined;
  }
}

const MAX = 300;
const clip = (s: string) => clipText(s, MAX);

/** Formats any thrown value without trusting it (no getters, no toString calls on objects). */
export const formatThrown = (value: unknown): string => showValue(value);

function isErrorLike(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  return typeof errorField(v, 'message') === 'string' && typeof errorField(v, 'stack') === 'string';
}

/**
 * Describes anything learner code threw. Stack frames pointing into the
 * evaluated learner module are mapped to the learner's file; host frames
 * (kernel, grader, sandbox) are dropped.
 */
export function describeError(err: unknown, compiled?: CompiledLike): ErrorDescription {
  if (!isErrorLike(err)) {
    // An Error-ish object without a stack (e.g. `{ message: 'x' }`) is still a non-Error throw.
    if (isError(err)) {
      const n = errorField(err, 'name');
      return { name: typeof n === 'string' && n ? clip(n) : 'Error', message: errorText(err) };
    }
    return { name: 'NonErrorThrown', message: `Thrown value (not an Error) / Брошено не-Error значение: ${formatThrown(err)}` };
  }
  const name = errorField(err, 'name');
  const rawMessage = clip(errorField(err, 'message') as string);
  const shownName = typeof name === 'string' && name ? clip(name) : 'Error';
  const message = `${shownName}: ${rawMessage}`.replace(/\s+$/, '');
  const stack = errorField(err, 'stack') as string;
  const out: ErrorDescription = { name: shownName, message };
  // Explicit learner line (loop guard and other sandbox limits set this).
  const explicitLine = errorField(err, 'learnerLine');
  if (typeof explicitLine === 'number') out.line = explicitLine;

  if (!compiled) return out;
  const fileName = compiled.fileName ?? 'solution.ts';
  const url = learnerUrl(fileName);
  const map = mapOf(compiled);
  const frames: string[] = [];
  for (const rawLine of stack.split('\n')) {
    const line = rawLine.trim();
    if (!line.startsWith('at ')) continue;
    const idx = line.indexOf(url + ':');
    if (idx < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(idx + url.length));
    if (!m) continue;
    const genLine = Number(m[1]) - WRAPPER_PREFIX_LINES;
    const genCol = Number(m[2]);
    const pos = map ? originalPosition(map, genLine, genCol) : undefined;
    if (!pos) continue;
    const fnPart = line.slice(3, idx).replace(/\($/, '').trim();
    const fnName = fnPart.replace(/^(async\s+)?(Object\.|exports\.)/, '$1').trim();
    frames.push(`    at ${fnName ? `${fnName} (` : ''}${fileName}:${pos.line}:${pos.column}${fnName ? ')' : ''}`);
    if (out.line === undefined) {
      out.line = pos.line;
      out.column = pos.column;
    }
  }
  out.stack = [message, ...frames].join('\n');
  return out;
}

/** `message (file:line:col)` one-liner for reports. */
export function formatDescription(d: ErrorDescription, fileName = 'solution.ts'): string {
  return d.line !== undefined ? `${d.message} (${fileName}:${d.line}${d.column !== undefined ? `:${d.column}` : ''})` : d.message;
}

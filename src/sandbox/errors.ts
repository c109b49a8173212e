/**
 * Learner-facing error descriptions: stacks mapped to the learner's file via
 * the source map, and sane reports for thrown non-Errors (`throw 42`,
 * `throw {}`, `throw null`). Pure and realm-independent: usable in the worker
 * (where learner code runs) and in tests.
 */
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

/** The `//# sourceURL` given to evaluated learner code. */
export function learnerUrl(fileName: string): string {
  return `learner:///${fileName.replace(/[\s()]/g, '_')}`;
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

/** Reads an own data property without running getters or proxies' get traps. */
function dataProp(obj: object, key: string): unknown {
  try {
    let o: object | null = obj;
    for (let depth = 0; o && depth < 8; depth++) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d) {
        if ('value' in d) return d.value;
        // V8 and SES expose `stack` as an accessor on genuine errors.
        // SES turns `name`/`message` of frozen Error prototypes into accessors (override taming).
        if (typeof d.get === 'function' && obj instanceof Error) return d.get.call(obj);
        return undefined;
      }
      o = Object.getPrototypeOf(o);
    }
  } catch {
    /* hostile proxy */
  }
  return undefined;
}

const MAX = 300;
function clip(s: string): string {
  return s.length > MAX ? `${s.slice(0, MAX)}…` : s;
}

/** Plain copy of own enumerable data properties (getters are not run, toJSON ignored). */
function snapshot(v: unknown, depth: number, seen: Set<unknown>): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[Function]`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return '[Circular]';
  if (depth > 3) return '[…]';
  seen.add(v);
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  let n = 0;
  for (const key of Object.keys(v)) {
    if (++n > 20) break;
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (!d) continue;
    (out as Record<string, unknown>)[key] = 'value' in d ? snapshot(d.value, depth + 1, seen) : '[Getter]';
  }
  seen.delete(v);
  return out;
}

/** Formats any thrown value without trusting it (no getters, no toString calls on objects). */
export function formatThrown(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return clip(JSON.stringify(value));
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value) + (typeof value === 'bigint' ? 'n' : '');
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return clip(value.toString());
    case 'function':
      return `function ${clip(String(dataProp(value as object, 'name') ?? ''))}`.trim();
    default:
      if (value === null) return 'null';
      try {
        return clip(JSON.stringify(snapshot(value, 0, new Set())) ?? Object.prototype.toString.call(value));
      } catch {
        return Object.prototype.toString.call(value);
      }
  }
}

function isErrorLike(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  return typeof dataProp(v, 'message') === 'string' && typeof dataProp(v, 'stack') === 'string';
}

/**
 * Describes anything learner code threw. Stack frames pointing into the
 * evaluated learner module are mapped to the learner's file; host frames
 * (kernel, grader, sandbox) are dropped.
 */
export function describeError(err: unknown, compiled?: CompiledLike): ErrorDescription {
  if (!isErrorLike(err)) {
    // An Error-ish object without a stack (e.g. `{ message: 'x' }`) is still a non-Error throw.
    const msg = typeof err === 'object' && err !== null && typeof dataProp(err, 'message') === 'string' && err instanceof Error
      ? `${String(dataProp(err, 'name') ?? 'Error')}: ${clip(String(dataProp(err, 'message')))}`
      : `Thrown value (not an Error) / Брошено не-Error значение: ${formatThrown(err)}`;
    return { name: err instanceof Error ? String(dataProp(err, 'name') ?? 'Error') : 'NonErrorThrown', message: msg };
  }
  const name = dataProp(err, 'name');
  const rawMessage = clip(String(dataProp(err, 'message')));
  const message = `${typeof name === 'string' && name ? name : 'Error'}: ${rawMessage}`.replace(/\s+$/, '');
  const stack = String(dataProp(err, 'stack'));
  const out: ErrorDescription = { name: typeof name === 'string' && name ? name : 'Error', message };
  // Explicit learner line (loop guard and other sandbox limits set this).
  const explicitLine = dataProp(err, 'learnerLine');
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

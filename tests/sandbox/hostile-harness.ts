/**
 * Shared by the Node tests and the browser lab: reads a hostile case's header
 * and turns a compile result + host outcome into one verdict.
 * Browser-safe (no Node imports).
 */
import type { CompileResult } from '../../src/sandbox/compile.ts';
import type { JobOutcome } from '../../src/sandbox/protocol.ts';
import type { TestResult } from './test-worker.ts';

export type Verdict =
  | 'pass'
  | 'compile-error'
  | 'error'
  | 'timeout'
  | 'budget'
  | 'memory'
  | 'crashed'
  | 'aborted'
  | 'event-budget'
  | 'did-not-finish'
  | 'ownership-violation';

export interface Expectation {
  expect: Verdict;
  message?: RegExp;
  line?: number;
}

export function parseExpectation(source: string): Expectation {
  const get = (key: string) => new RegExp(`^//\\s*${key}:\\s*(.+)$`, 'm').exec(source)?.[1]?.trim();
  const expect = get('expect');
  if (!expect) throw new Error('hostile case without `// expect:` header');
  const message = get('message');
  const line = get('line');
  return {
    expect: expect as Verdict,
    ...(message ? { message: new RegExp(message, 'i') } : {}),
    ...(line ? { line: Number(line) } : {}),
  };
}

export interface VerdictInfo {
  verdict: Verdict;
  message: string;
  line?: number;
}

/** `(file.ts:12:5)` at the end of a message written by formatDescription. */
function lineIn(message: string): number | undefined {
  const m = /\.ts:(\d+)(?::\d+)?\)\s*$/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function withLine(verdict: Verdict, message: string, line?: number): VerdictInfo {
  const l = line ?? lineIn(message);
  return l !== undefined ? { verdict, message, line: l } : { verdict, message };
}

export function verdictOf(compiled: CompileResult, outcome?: JobOutcome<TestResult>): VerdictInfo {
  if (!compiled.ok) {
    return { verdict: 'compile-error', message: compiled.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'), line: compiled.diagnostics[0]?.line };
  }
  if (!outcome) throw new Error('no outcome for a compiled case');
  if (!outcome.ok) return { verdict: outcome.kind, message: outcome.message };
  const r = outcome.result;
  if (r.reason === 'event-budget') return { verdict: 'event-budget', message: `event budget exhausted after ${r.events} events (virtual time ${r.now} ms)` };
  if (r.errors.length > 0) {
    const e = r.errors[0]!;
    return withLine('error', `${e.where ?? ''} ${e.message}`.trim(), e.line);
  }
  if (r.reply?.error !== undefined) return withLine('error', r.reply.error, r.reply.line);
  if (r.violations > 0) return { verdict: 'ownership-violation', message: `${r.violations} ownership violation(s) traced` };
  if (r.reply === null) return { verdict: 'did-not-finish', message: 'the call to learner.ping never completed (quiescent without a reply)' };
  return { verdict: 'pass', message: JSON.stringify(r.reply.value) };
}

/** Null when the verdict matches the expectation, else why not. */
export function mismatch(exp: Expectation, got: VerdictInfo): string | null {
  if (got.verdict !== exp.expect) return `expected ${exp.expect}, got ${got.verdict}: ${got.message}`;
  if (exp.message && !exp.message.test(got.message)) return `message ${JSON.stringify(got.message)} does not match ${exp.message}`;
  if (exp.line !== undefined && got.line !== exp.line) return `expected line ${exp.line}, got ${got.line}: ${got.message}`;
  return null;
}

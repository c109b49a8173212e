import { describe, expect, it } from 'vitest';
import { describeThrown, type ServiceDefinition } from '../../src/sim/index.ts';
import { sim } from './helpers.ts';

/** A broker consumer whose transaction hits a unique violation: the kernel's error is traced as handler-error. */
function clash(): ServiceDefinition[] {
  return [
    {
      name: 'consumer',
      start(ctx) {
        ctx.subscribe('t', async () => {
          await ctx.db.transaction((tx) => tx.insert('rows', { id: 'same' }));
        });
      },
    },
    {
      name: 'producer',
      async start(ctx) {
        for (let i = 0; i < 3; i++) await ctx.publish('t', { i });
      },
    },
  ];
}

describe('errors in the trace', () => {
  it('describeThrown gives name and message, never a host stack', () => {
    const d = describeThrown(new TypeError('boom'));
    expect(d).toEqual({ name: 'TypeError', message: 'boom' });
    expect(describeThrown(42)).toEqual({ name: 'NonErrorThrown', message: 'a non-Error value was thrown: 42' });
  });

  it('a run in which kernel errors reach handlers traces the same twice in one process (no stack frames in the trace)', async () => {
    const digests: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = sim({ seed: 7, maxTime: 300 }, ...clash()); // the clash is a poison message: redelivered until the time limit
      await s.runUntilQuiescent();
      const errors = s.trace.events().filter((e) => e.kind === 'handler-error');
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(JSON.stringify(e.data)).not.toContain('    at ');
      digests.push(s.trace.digest());
    }
    expect(new Set(digests).size).toBe(1);
  });
});

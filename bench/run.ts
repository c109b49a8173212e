/**
 * `npm run bench`: every benchmark of the project. Each prints lines of the form
 * `BENCH <name> <value> <unit>`; optional suites are skipped with a note when their
 * module is absent.
 */
import { benchSim } from './sim.ts';

const only = process.argv.slice(2);
const suites: Array<[string, () => Promise<void>]> = [['sim', benchSim]];
for (const [name, file, fn] of [
  ['sandbox', './sandbox.ts', 'benchSandbox'],
  ['grade', './grade.ts', 'benchGrade'],
  ['app', './app.ts', 'benchApp'],
  ['browser', './browser.ts', 'benchBrowser'],
] as const) {
  suites.push([name, async () => ((await import(file)) as Record<string, () => Promise<void>>)[fn]!()]);
}
for (const [name, run] of suites) {
  if (only.length && !only.includes(name)) continue;
  try {
    await run();
  } catch (e) {
    console.error(`bench ${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  }
}

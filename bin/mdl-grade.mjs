#!/usr/bin/env node
// `mdl-grade` — the instructor grading CLI (same as `npm run grade --`).
// Registers tsx so the TypeScript sources run directly, then starts src/cli/grade.ts.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/grade.ts', import.meta.url).href);

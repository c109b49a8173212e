/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/grading/**/*.test.ts', 'tests/sandbox/**/*.test.ts', 'tests/app/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

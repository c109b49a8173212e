/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { sandboxWorkerPlugin } from './src/sandbox/vite-plugin.ts';

export default defineConfig({
  // sandboxWorkerPlugin: `import src from './entry.ts?sandbox-worker'` = self-contained worker script text (src/sandbox).
  plugins: [
    react(),
    sandboxWorkerPlugin(),
    // Offline after the first visit: a service worker precaches the whole build (Monaco and its
    // TypeScript worker, the sandbox worker). Registered by src/app/pwa.ts once the app is idle.
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      // Icons are drawn by scripts/make-icons.ts into public/ (precached with the manifest).
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'Microservices Data Lab',
        short_name: 'Data Lab',
        description:
          'Learn the data patterns of microservices against a simulated distributed system that fails on purpose. / ' +
          'Паттерны данных микросервисов на симуляторе распределённой системы, которая сбоит намеренно.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#2456c7',
        background_color: '#f7f7f5',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        clientsClaim: true,
        skipWaiting: true,
        globPatterns: ['**/*.{js,css,html,ttf}'],
        maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/sandbox-lab/],
      },
    }),
  ],
  build: {
    rollupOptions: {
      // sandbox-lab.html: the browser sandbox proof page driven by tests/e2e/sandbox.spec.ts.
      input: { main: 'index.html', 'sandbox-lab': 'sandbox-lab.html' },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/grading/**/*.test.ts', 'tests/sandbox/**/*.test.ts', 'tests/app/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Node's process, which this config runs in (the app's types leave Node out).
declare const process: { env: Record<string, string | undefined> };

// The app is built into dist/app, which the Go binary embeds (web/embed.go).
// The dev server proxies the API to a gateway on :8080 (`make run`).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    sourcemap: false,
    // The bundle budget (scripts/budget.mjs) reads the chunk graph from the
    // manifest, then deletes it: only its build writes one.
    manifest: process.env.BUNDLE_BUDGET === '1',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/openapi.json': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});

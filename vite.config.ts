import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    react(),
    // The built app's shell is cached by a Workbox service worker, so a reload with no
    // network still starts the app (its data is local already). A new version waits
    // until the user reloads from the prompt, or until every tab of the app has closed.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,woff2}'],
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // The demo app imports the library by its package entry points, resolved to the source here.
  resolve: {
    alias: [
      { find: /^basic-sync$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^basic-sync\/react$/, replacement: fileURLToPath(new URL('./src/react/index.ts', import.meta.url)) },
      { find: /^basic-sync\/server$/, replacement: fileURLToPath(new URL('./server/index.ts', import.meta.url)) },
      { find: /^basic-sync\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
    ],
  },
  build: { target: 'es2022', outDir: 'dist/app' },
  server: { port: 5173 },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/browser/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

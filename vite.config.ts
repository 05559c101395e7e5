import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The inspector (`?inspect`) and its diagram renderer are megabytes of chunks nobody needs
 * without the flag: this finds the chunks only the inspector reaches, so the service
 * worker does not precache them (with the flag, they load from the server as usual).
 */
const inspectorOnlyFiles = new Set<string>();
function findInspectorOnlyChunks(): Plugin {
  return {
    name: 'find-inspector-only-chunks',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const isInspector = (c: (typeof chunks)[number]) => c.isDynamicEntry && /[\\/]inspector[\\/]InspectorPanel\.tsx$/.test(c.facadeModuleId ?? '');
      const reach = (from: (typeof chunks)[number][], skip: (c: (typeof chunks)[number]) => boolean) => {
        const seen = new Set<string>();
        const stack = [...from];
        while (stack.length > 0) {
          const chunk = stack.pop()!;
          if (seen.has(chunk.fileName) || skip(chunk)) continue;
          seen.add(chunk.fileName);
          for (const file of [...chunk.imports, ...chunk.dynamicImports]) if (byFile.has(file)) stack.push(byFile.get(file)!);
        }
        return seen;
      };
      const withoutInspector = reach(chunks.filter((c) => c.isEntry), isInspector);
      const fromInspector = reach(chunks.filter(isInspector), () => false);
      inspectorOnlyFiles.clear();
      for (const file of fromInspector) if (!withoutInspector.has(file)) inspectorOnlyFiles.add(file);
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    findInspectorOnlyChunks(),
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
        manifestTransforms: [async (entries) => ({ manifest: entries.filter((e) => !inspectorOnlyFiles.has(e.url)), warnings: [] })],
        // Checked before the filter above: the inspector's unminified diagram chunks pass 2 MiB.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
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

import { defineConfig } from 'vitest/config';

/** Browser tests: Playwright driving Debian's Chromium against the app and a real server. */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});

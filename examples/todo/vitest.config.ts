import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The example's tests, against basic-sync as built (`npm run build:lib`), not its source. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: { include: ['tests/**/*.test.ts'], environment: 'node', testTimeout: 20_000 },
});

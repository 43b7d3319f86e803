import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests import workspace packages by their public names; resolve those to source so a test run
// never depends on a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@gecko-auth\/core\/node$/, replacement: `${packagesDir}core/src/node.ts` },
      { find: /^@gecko-auth\/([a-z]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

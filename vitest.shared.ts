import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests import workspace packages by their public names; resolve those to source so a test run
// never depends on a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@gecko-auth\/core\/node$/, replacement: `${packagesDir}core/src/node.ts` },
      { find: /^@gecko-auth\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The JSON report feeds scripts/test-summary.mjs, which prints the whole repo's verdict.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  fixedExtension: true,
  platform: 'neutral',
  target: 'node20',
  external: [/^node:/],
});

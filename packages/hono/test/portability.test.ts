import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const entries: Record<string, string> = {
  '@gecko-auth/core': resolve(here, '../../core/src/index.ts'),
};

/** Every source file the adapter pulls in (through core's source) and every package they import. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.includes(file)) continue;

    files.push(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier = ''] of source.matchAll(/(?:import|export)[^;]*?from\s+'([^']+)'/g)) {
      if (specifier.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      } else if (entries[specifier] !== undefined) {
        queue.push(entries[specifier]);
      } else {
        packages.add(specifier);
      }
    }
  }
  return { files, packages: [...packages].sort() };
}

describe('edge runtimes', () => {
  it('the adapter pulls in no node: module, only hono, core and jose', () => {
    const { files, packages } = importGraph(resolve(here, '../src/index.ts'));

    expect(files.length).toBeGreaterThan(10);
    expect(packages).toEqual(['hono', 'hono/factory', 'hono/http-exception', 'jose']);
  });
});

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every module the given source file pulls in, following relative imports. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [resolve(srcDir, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.includes(file)) continue;
    files.push(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g,
    )) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.'))
        queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe('runtime portability', () => {
  it('the main entry imports no node: module and no package but jose', () => {
    const { files, packages } = importGraph('index.ts');
    expect(files.length).toBeGreaterThan(10);
    expect([...packages]).toEqual(['jose']);
  });

  it('the main entry uses no Node globals', () => {
    for (const file of importGraph('index.ts').files) {
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/\b(process|Buffer|require|__dirname)\b[.(]/);
    }
  });
});

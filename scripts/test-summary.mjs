// Adds up the vitest JSON reports of every workspace package and prints one closing line,
// "Tests: N passed, N failed", so a whole-repo run ends with a single, greppable verdict.
// With --reset it deletes old reports first, so a stale file can never be counted.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const REPORT = 'test-results.json';
const dirs = ['packages', 'examples', 'bench']
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
const reports = dirs.map((dir) => join(dir, REPORT)).filter((file) => existsSync(file));

if (process.argv.includes('--reset')) {
  for (const file of reports) rmSync(file);
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`  ${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

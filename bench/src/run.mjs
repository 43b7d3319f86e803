// Runs the benchmarks and writes bench/results/latest.json and ../BENCHMARKS.md.
// Usage: node src/run.mjs [benchmark ...]   (no names: all of them)
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import * as axiosBench from './benchmarks/axios.mjs';
import * as fleet from './benchmarks/fleet.mjs';
import * as memory from './benchmarks/memory.mjs';
import * as overhead from './benchmarks/overhead.mjs';
import * as proxy from './benchmarks/proxy.mjs';
import * as stampede from './benchmarks/stampede.mjs';
import * as token from './benchmarks/token.mjs';
import { waitForDist } from './lib/dist.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderJson, renderMarkdown } from './lib/report.mjs';
import { round } from './lib/stats.mjs';

const BENCHMARKS = [overhead, proxy, token, axiosBench, stampede, fleet, memory];

/** Run lengths; the whole suite takes about five minutes on two cores. */
const SETTINGS = {
  load: { runs: 4, duration: 2, warmup: 1, connections: 64 },
  proxyLoad: { runs: 3, duration: 2, warmup: 1, connections: 32 },
  microTimeMs: 1_000,
  microWarmupMs: 250,
  axios: { runs: 4, ms: 2_000, warmupMs: 500, maxCalls: 200_000, concurrency: 32 },
  stampede: { calls: 10_000, connections: 128 },
  fleet: { processes: 8, callsPerProcess: 1_000, connections: 64 },
  memory: {
    honoRequests: { bare: 100_000, gecko: 1_000_000 },
    httpRequests: { express: 80_000, koa: 150_000 },
  },
};

/** A run that takes longer than this is stuck: stop it rather than hang. */
const WATCHDOG_MS = 20 * 60_000;

const requested = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = requested.filter((arg) => !BENCHMARKS.some((benchmark) => benchmark.name === arg));
if (unknown.length > 0) {
  const names = BENCHMARKS.map((benchmark) => benchmark.name).join(', ');
  console.error(`Unknown benchmark ${unknown.join(', ')}. Choose from: ${names}.`);
  process.exit(2);
}
const selected =
  requested.length === 0
    ? BENCHMARKS
    : BENCHMARKS.filter((benchmark) => requested.includes(benchmark.name));
const full = selected.length === BENCHMARKS.length;

const watchdog = setTimeout(() => {
  console.error(`Benchmarks still running after ${WATCHDOG_MS / 60_000} minutes; stopping.`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const startedAt = new Date();
const loadAverageStart = round(os.loadavg()[0], 2);
const benchmarks = {};
for (const benchmark of selected) {
  console.log(`▶ ${benchmark.name}: ${benchmark.title}`);
  const began = Date.now();
  let outcome;
  for (let attempt = 1; ; attempt++) {
    try {
      await waitForDist();
      outcome = await benchmark.run(SETTINGS);
      break;
    } catch (error) {
      console.error(error);
      outcome = { error: String(error?.message ?? error) };
      // A build elsewhere may have emptied a dist mid-run: try once more once it is back.
      if (attempt >= 2 || !String(error?.stack ?? error).includes('ERR_MODULE_NOT_FOUND')) break;
      console.log('  a package entry vanished during the run (a build elsewhere?); retrying');
    }
  }
  const seconds = round((Date.now() - began) / 1000, 1);
  benchmarks[benchmark.name] = {
    title: benchmark.title,
    description: benchmark.description,
    seconds,
    ...outcome,
  };
  for (const row of outcome.rows ?? []) {
    const verdict = row.met === true ? 'met' : row.met === false ? 'MISSED' : '';
    console.log(`  ${row.case}: ${row.ratio} (target ${row.target}) ${verdict}`);
    console.log(`    ${row.absolute}`);
  }
  console.log(`  (${seconds} s)`);
}

const finishedAt = new Date();
const results = {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  totalSeconds: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1),
  machine: { ...machineInfo(), loadAverageStart, loadAverageEnd: round(os.loadavg()[0], 2) },
  settings: SETTINGS,
  benchmarks,
};

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const jsonFile = here(full ? '../results/latest.json' : '../results/partial.tmp');
await writeFile(jsonFile, await renderJson(results, here('../results/latest.json')));
console.log(`\nWrote ${jsonFile}`);
if (full) {
  const markdownFile = here('../../BENCHMARKS.md');
  await writeFile(markdownFile, await renderMarkdown(results, markdownFile));
  console.log(`Wrote ${markdownFile}`);
} else {
  console.log('A partial run leaves BENCHMARKS.md and results/latest.json as they were.');
}
console.log(`Total ${results.totalSeconds} s.`);

const failed = Object.values(benchmarks).some((benchmark) => benchmark.error !== undefined);
process.exit(failed ? 1 : 0);

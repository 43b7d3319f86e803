/** HTTP load with autocannon, run from this (the load) process against servers in children. */
import autocannon from 'autocannon';

import { rotate } from './client-load.mjs';
import { median, ratio, round, spread } from './stats.mjs';

/**
 * One autocannon run. Bounded by `duration` seconds, or by `amount` requests when given.
 *
 * @param {string} url
 * @param {{ duration?: number, amount?: number, connections?: number }} options
 */
export async function cannon(url, { duration = 3, amount, connections = 64 } = {}) {
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    duration,
    amount,
    timeout: 10,
  });
  const completed = result.requests.total;
  return {
    requests: completed,
    seconds: result.duration,
    rps: completed / result.duration,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}

/**
 * Load each variant in turn, `runs` times, in a different order every round so drift (thermal,
 * other work on the machine) does not favour one side. Each variant is a server in a child process
 * answering `cpu` with its `process.cpuUsage()`, so server CPU per request is measured too.
 *
 * @param {{ name: string, url: string, child: { call: Function } }[]} variants
 * @param {{ runs: number, duration: number, warmup: number, connections?: number }} options
 */
export async function compareLoad(variants, { runs, duration, warmup, connections }) {
  for (const variant of variants) {
    await cannon(variant.url, { duration: warmup, connections });
  }

  const samples = new Map(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < runs; round++) {
    for (const variant of rotate(variants, round)) {
      const before = await variant.child.call('cpu');
      const run = await cannon(variant.url, { duration, connections });
      const after = await variant.child.call('cpu');
      const cpuMicros = after.user - before.user + (after.system - before.system);
      samples.get(variant.name).push({ ...run, cpuUsPerRequest: cpuMicros / run.requests });
    }
  }

  return Object.fromEntries(
    variants.map((variant) => [variant.name, summarise(samples.get(variant.name))]),
  );
}

/** Medians of a variant's runs, plus totals of what went wrong. */
export function summarise(runs) {
  const rps = runs.map((run) => run.rps);
  return {
    rps: round(median(rps)),
    rpsSpread: spread(rps),
    cpuUsPerRequest: round(median(runs.map((run) => run.cpuUsPerRequest)), 2),
    latencyP50Ms: median(runs.map((run) => run.latencyP50Ms)),
    latencyP99Ms: median(runs.map((run) => run.latencyP99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    runs: runs.map((run) => round(run.rps)),
  };
}

/** Ratio fields comparing a measured variant with its baseline. */
export function compareTo(baseline, measured) {
  return {
    ratio: ratio(measured.rps, baseline.rps),
    cpuRatio: ratio(baseline.cpuUsPerRequest, measured.cpuUsPerRequest),
    addedCpuUsPerRequest: round(measured.cpuUsPerRequest - baseline.cpuUsPerRequest, 2),
  };
}

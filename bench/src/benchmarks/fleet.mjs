/**
 * 6. Fleet: 8 processes, each with its own GeckoAuth on one shared RedisStore, send 1,000 concurrent
 * GeckoForm calls each right after the ID token expired. The refresh lock should let exactly one
 * of them call the refresh endpoint; the others load its result from Redis.
 */
import { closeAll, startEmulatorChild } from '../lib/apps-runner.mjs';
import { startChild } from '../lib/child.mjs';
import { fmt } from '../lib/format.mjs';
import { provideRedis } from '../lib/redis.mjs';
import { percentile, round } from '../lib/stats.mjs';

export const name = 'fleet';
export const title = 'Fleet on a shared Redis store';
export const description =
  "8 child processes, each with its own `GeckoAuth` on one `RedisStore` (same key), warm up with a valid token; then the emulator's clock (and theirs) moves past expiry and each sends 1,000 concurrent `GET /forms/1`. The refresh lock should let exactly one process call the refresh endpoint while the others load its result from Redis.";

const PAST_EXPIRY_MS = 25 * 60 * 60_000;

export async function run(settings) {
  const { processes, callsPerProcess, connections } = settings.fleet;
  const redis = await provideRedis();
  if (redis.skipped !== undefined) return skipped(redis.skipped, processes, callsPerProcess);

  try {
    await import('@gecko-auth/redis');
  } catch (error) {
    await redis.stop();
    return skipped(
      `@gecko-auth/redis could not be loaded (${error.code ?? error.message})`,
      processes,
      callsPerProcess,
    );
  }

  const emulator = await startEmulatorChild();
  const workers = [];
  try {
    const tokens = await emulator.call('tokens');
    const config = {
      tokens,
      apiUrl: emulator.info.apiUrl,
      refreshUrl: emulator.info.refreshUrl,
      redisUrl: redis.url,
      key: `gecko-bench:${process.pid}:${Date.now()}`,
      clockOffset: (await emulator.call('now')) - Date.now(),
      connections,
    };
    workers.push(
      ...(await Promise.all(
        Array.from({ length: processes }, () =>
          startChild('fleet-worker.mjs', { env: { BENCH_FLEET: JSON.stringify(config) } }),
        ),
      )),
    );
    await Promise.all(workers.map((worker) => worker.call('warm', { calls: 20 })));

    const emulatorNow = await emulator.call('advance', { ms: PAST_EXPIRY_MS });
    await Promise.all(workers.map((worker) => worker.call('setClock', { emulatorNow })));
    await emulator.call('resetStats');

    const started = Date.now();
    const bursts = await Promise.all(
      workers.map((worker) => worker.call('burst', { calls: callsPerProcess })),
    );
    const seconds = (Date.now() - started) / 1000;
    const stats = await emulator.call('stats');
    const latencies = bursts.flatMap((burst) => burst.latencies);
    const failed = bursts.reduce((sum, burst) => sum + burst.failed, 0);
    const sources = bursts.flatMap((burst) => burst.refreshSources);
    const result = {
      processes,
      callsPerProcess,
      refreshCalls: stats.refreshCalls,
      apiCalls: stats.apiCalls,
      unauthorizedApiCalls: stats.unauthorizedApiCalls,
      failed,
      firstError: bursts.find((burst) => burst.firstError !== undefined)?.firstError,
      refreshedFromEndpoint: sources.filter((source) => source === 'endpoint').length,
      refreshedFromStore: sources.filter((source) => source === 'store').length,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      seconds: round(seconds, 2),
      redis: redis.source,
    };
    return {
      rows: [
        {
          case: `${processes} processes × ${fmt(callsPerProcess)} calls at expiry, Redis store`,
          measure: 'refresh calls / failures',
          ratio: `${result.refreshCalls} / ${result.failed}`,
          target: '1 / 0',
          met: result.refreshCalls === 1 && result.failed === 0,
          absolute:
            `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ${result.refreshedFromEndpoint} ` +
            `process refreshed, ${result.refreshedFromStore} took the tokens from Redis`,
        },
      ],
      tables: [
        {
          title: 'Fleet rotation',
          columns: [
            'processes',
            'calls',
            'refresh calls',
            'failed',
            'API calls',
            '401s',
            'refreshed via endpoint / via store',
            'p50 ms',
            'p99 ms',
            'burst s',
            'Redis',
          ],
          rows: [
            [
              processes,
              fmt(processes * callsPerProcess),
              result.refreshCalls,
              result.failed,
              fmt(result.apiCalls),
              result.unauthorizedApiCalls,
              `${result.refreshedFromEndpoint} / ${result.refreshedFromStore}`,
              result.p50Ms,
              result.p99Ms,
              result.seconds,
              result.redis,
            ],
          ],
        },
      ],
      data: result,
    };
  } finally {
    await closeAll(workers);
    await emulator.close();
    await redis.stop();
  }
}

function skipped(reason, processes, callsPerProcess) {
  return {
    skipped: reason,
    rows: [
      {
        case: `${processes} processes × ${fmt(callsPerProcess)} calls at expiry, Redis store`,
        measure: 'refresh calls / failures',
        ratio: 'skipped',
        target: '1 / 0',
        met: null,
        absolute: reason,
      },
    ],
    tables: [],
    data: { skipped: reason },
  };
}

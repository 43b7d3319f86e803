/**
 * 5. Stampede: 10,000 concurrent GeckoForm calls right after the ID token expired (the emulator's
 * clock is moved 25 hours on). Counts refresh calls at the emulator, failed calls and latency:
 * gecko-auth (`auth.client().get`) vs axios-auth-refresh, as its README sets it up, in its default
 * configuration (`deduplicateRefresh: true`, the successor of v3's `pauseInstanceWhileRefreshing`)
 * and with `deduplicateRefresh: false`. The emulator runs in its own process.
 */
import { startEmulatorChild } from '../lib/apps-runner.mjs';
import { startChild } from '../lib/child.mjs';
import { fmt } from '../lib/format.mjs';
import { percentile, round } from '../lib/stats.mjs';

export const name = 'stampede';
export const title = 'Stampede at expiry';
export const description =
  "10,000 concurrent `GET /forms/1` right after the ID token expired (the emulator's clock moved 25 h on, the client's clock in step), after a warm-up with a valid token. The emulator and each client run in their own processes (a fresh client process and token set per scenario), and every client sends through a keep-alive pool of 128 sockets (an undici `Agent` for `fetch`, an `http.Agent` for axios), so the burst queues in the client rather than in the kernel's accept backlog. Refresh calls and API calls are the emulator's counters. gecko-auth (`auth.client().get`) vs axios-auth-refresh set up as its README recommends — its refresh function calls the emulator's refresh endpoint, stores the new tokens and sets the failed request's header — in its default configuration (`deduplicateRefresh: true`, v5's name for v3's `pauseInstanceWhileRefreshing`) and with `deduplicateRefresh: false`.";

const HOUR = 60 * 60_000;
/** Past the emulator's 24 h ID token lifetime. */
const PAST_EXPIRY_MS = 25 * HOUR;
/** No call of the burst may take longer than this; the whole burst is abandoned after it. */
const BURST_TIMEOUT_MS = 60_000;
const WARM_UP_CALLS = 256;

const CLIENTS = [
  ['gecko', 'gecko-auth `auth.client().get`'],
  ['axios-auth-refresh-deduplicate', 'axios-auth-refresh, deduplicateRefresh: true (default)'],
  ['axios-auth-refresh', 'axios-auth-refresh, deduplicateRefresh: false'],
];

export async function run(settings) {
  const { calls, connections } = settings.stampede;
  const emulator = await startEmulatorChild();
  const results = [];
  try {
    for (const [client, label] of CLIENTS) {
      // A fresh token set and a fresh client process per scenario: nothing carries over.
      const tokens = await emulator.call('tokens');
      const clockOffset = (await emulator.call('now')) - Date.now();
      const child = await startChild('stampede-client.mjs', {
        env: {
          BENCH_STAMPEDE: JSON.stringify({
            client,
            tokens,
            apiUrl: emulator.info.apiUrl,
            refreshUrl: emulator.info.refreshUrl,
            clockOffset,
            connections,
          }),
        },
      });
      try {
        await child.call('warm', { calls: WARM_UP_CALLS, concurrency: connections });
        const emulatorNow = await emulator.call('advance', { ms: PAST_EXPIRY_MS });
        await child.call('setClock', { emulatorNow });
        await emulator.call('resetStats');
        const burst = await child.call('burst', { calls, timeoutMs: BURST_TIMEOUT_MS });
        const stats = await emulator.call('stats');
        results.push({
          name: label,
          calls,
          failed: burst.failed,
          unfinished: burst.unfinished,
          refreshCalls: stats.refreshCalls,
          apiCalls: stats.apiCalls,
          unauthorizedApiCalls: stats.unauthorizedApiCalls,
          p50Ms: round(percentile(burst.latencies, 50), 1),
          p99Ms: round(percentile(burst.latencies, 99), 1),
          maxMs: burst.latencies.length === 0 ? null : round(Math.max(...burst.latencies), 1),
          seconds: round(burst.seconds, 2),
          firstError: burst.firstError,
        });
      } finally {
        await child.close();
      }
    }
  } finally {
    await emulator.close();
  }

  const [ours, ...theirs] = results;
  const met = ours.refreshCalls === 1 && ours.failed === 0;
  return {
    notes: [
      'Latencies are of the calls that succeeded. All calls start at once and share 128 sockets, ' +
        'so p50 and p99 mostly measure that queue; compare them between clients, not with a ' +
        'single call.',
      'axios-auth-refresh, by default, rejects every 401 that arrives while its refresh is in ' +
        'flight (the instance is marked as refreshing, so its interceptor lets those errors through): ' +
        'only the request that started the refresh is retried. With `deduplicateRefresh: false` ' +
        'late 401s wait for the same refresh and are retried, at the cost of sending every call ' +
        'twice. gecko-auth knows the token expired before sending and refreshes first: no 401s.',
    ],
    rows: [
      {
        case: `${fmt(calls)} concurrent calls at expiry, gecko-auth`,
        measure: 'refresh calls / failures',
        ratio: `${ours.refreshCalls} / ${ours.failed}`,
        target: '1 / 0',
        met,
        absolute: `p50 ${ours.p50Ms} ms, p99 ${ours.p99Ms} ms, ${fmt(ours.apiCalls)} API calls`,
      },
      ...theirs.map((result) => ({
        case: `… ${result.name}`,
        measure: 'refresh calls / failures',
        ratio: `${result.refreshCalls} / ${result.failed}`,
        target: '—',
        met: null,
        absolute:
          `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${fmt(result.apiCalls)} API calls ` +
          `(${fmt(result.unauthorizedApiCalls)} answered 401)`,
      })),
    ],
    tables: [
      {
        title: `${fmt(calls)} concurrent GET /forms/1, ID token expired (latency of successful calls)`,
        columns: [
          'client',
          'refresh calls',
          'failed',
          'API calls',
          '401s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'burst s',
          'first error',
        ],
        rows: results.map((result) => [
          result.name,
          result.refreshCalls,
          result.failed,
          fmt(result.apiCalls),
          fmt(result.unauthorizedApiCalls),
          result.p50Ms,
          result.p99Ms,
          result.maxMs,
          result.seconds,
          result.firstError ?? '—',
        ]),
      },
    ],
    data: results,
  };
}

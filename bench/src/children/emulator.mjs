// A GeckoForm emulator in its own process, driven over IPC: the benchmark's load generator and the
// app under test must not share its event loop.
import { clearInterval, setInterval } from 'node:timers';

import { startEmulator } from '@gecko-auth/emulator';

import { serveChild } from '../lib/child.mjs';

const LOG_TRIM_INTERVAL_MS = 1_000;

await serveChild(async () => {
  const options = JSON.parse(process.env.BENCH_EMULATOR_OPTIONS ?? '{}');
  const emulator = await startEmulator({ host: '127.0.0.1', ...options });
  // The request log grows by one entry per request; long load runs only need the counters.
  const trim = setInterval(() => {
    emulator.stats.requests.length = 0;
    emulator.stats.apiCallsByToken.clear();
  }, LOG_TRIM_INTERVAL_MS);

  return {
    info: {
      apiUrl: emulator.apiUrl,
      refreshUrl: emulator.refreshUrl,
      accountUrl: emulator.accountUrl,
      now: emulator.clock.now(),
    },
    handlers: {
      tokens: (params) => emulator.issueTokens(params ?? {}),
      advance: ({ ms }) => {
        emulator.clock.advance(ms);
        return emulator.clock.now();
      },
      now: () => emulator.clock.now(),
      stats: () => {
        const { refreshCalls, successfulRefreshes, apiCalls, unauthorizedApiCalls } =
          emulator.stats;
        return { refreshCalls, successfulRefreshes, apiCalls, unauthorizedApiCalls };
      },
      resetStats: () => emulator.resetStats(),
      cpu: () => process.cpuUsage(),
    },
    close: async () => {
      clearInterval(trim);
      await emulator.close();
    },
  };
});

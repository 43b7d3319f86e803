// One client of the stampede benchmark, in a fresh process: its own event loop and file table.
import { performance } from 'node:perf_hooks';

import { GeckoAuth } from '@gecko-auth/core';

import { axiosAuthRefreshInstance } from '../benchmarks/axios.mjs';
import { serveChild } from '../lib/child.mjs';
import { pooledAgent, pooledFetch } from '../lib/pool.mjs';

await serveChild(async () => {
  const config = JSON.parse(process.env.BENCH_STAMPEDE ?? '{}');
  let offset = config.clockOffset;
  let call;
  let close;
  if (config.client === 'gecko') {
    const fetch = pooledFetch(config.connections);
    const auth = new GeckoAuth({
      tokens: config.tokens,
      apiUrl: config.apiUrl,
      refreshUrl: config.refreshUrl,
      clock: { now: () => Date.now() + offset },
      fetch,
    });
    const client = auth.client();
    call = () => client.get('/forms/1');
    close = async () => {
      auth.close();
      await fetch.close();
    };
  } else {
    const agent = pooledAgent(config.connections);
    const instance = axiosAuthRefreshInstance(
      config.apiUrl,
      config.refreshUrl,
      config.tokens,
      agent,
      {
        deduplicateRefresh: config.client === 'axios-auth-refresh-deduplicate',
      },
    );
    call = () => instance.get('/forms/1');
    close = () => agent.destroy();
  }

  return {
    info: { pid: process.pid },
    handlers: {
      warm: async ({ calls, concurrency }) => {
        for (let done = 0; done < calls; done += concurrency) {
          await Promise.all(Array.from({ length: concurrency }, call));
        }
      },
      setClock: ({ emulatorNow }) => {
        offset = emulatorNow - Date.now();
      },
      burst: ({ calls, timeoutMs }) => burst(call, calls, timeoutMs),
    },
    close,
  };
});

/** Fire `calls` calls at once; resolve when all settled or after `timeoutMs`. */
async function burst(call, calls, timeoutMs) {
  const latencies = [];
  let failed = 0;
  let firstError;
  const start = performance.now();
  const all = Promise.all(
    Array.from({ length: calls }, async () => {
      const began = performance.now();
      try {
        await call();
        latencies.push(performance.now() - began);
      } catch (error) {
        failed++;
        firstError ??= describe(error);
      }
    }),
  );
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([all, timeout]);
  clearTimeout(timer);
  const unfinished = outcome === 'timeout' ? calls - latencies.length - failed : 0;
  return {
    latencies,
    failed: failed + unfinished,
    unfinished,
    firstError,
    seconds: (performance.now() - start) / 1000,
  };
}

function describe(error) {
  const status = error?.response?.status ?? error?.status;
  const code = error?.code ?? error?.name ?? 'Error';
  return status === undefined ? String(code) : `${code} (HTTP ${status})`;
}

// One process of the fleet benchmark: a GeckoAuth on a shared RedisStore, driven over IPC.
import { performance } from 'node:perf_hooks';

import { GeckoAuth } from '@gecko-auth/core';
import { RedisStore } from '@gecko-auth/redis';
import { Redis } from 'ioredis';

import { serveChild } from '../lib/child.mjs';
import { pooledFetch } from '../lib/pool.mjs';

await serveChild(async () => {
  const config = JSON.parse(process.env.BENCH_FLEET ?? '{}');
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let offset = config.clockOffset;
  const fetch = pooledFetch(config.connections);
  const auth = new GeckoAuth({
    tokens: config.tokens,
    apiUrl: config.apiUrl,
    refreshUrl: config.refreshUrl,
    store: new RedisStore({ redis, key: config.key }),
    clock: { now: () => Date.now() + offset },
    fetch,
  });
  const client = auth.client();
  const refreshes = [];
  auth.on('refresh', (event) => refreshes.push(event.source));

  return {
    info: { pid: process.pid },
    handlers: {
      warm: async ({ calls }) => {
        await Promise.all(Array.from({ length: calls }, () => client.get('/forms/1')));
      },
      setClock: ({ emulatorNow }) => {
        offset = emulatorNow - Date.now();
      },
      burst: async ({ calls }) => {
        const latencies = [];
        let failed = 0;
        let firstError;
        await Promise.all(
          Array.from({ length: calls }, async () => {
            const began = performance.now();
            try {
              await client.get('/forms/1');
              latencies.push(performance.now() - began);
            } catch (error) {
              failed++;
              firstError ??= error?.code ?? String(error);
            }
          }),
        );
        return { latencies, failed, firstError, refreshSources: refreshes.splice(0) };
      },
    },
    close: async () => {
      auth.close();
      await fetch.close();
      await redis.quit();
    },
  };
});

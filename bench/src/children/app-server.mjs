// One framework app (bare or with geckoAuth) on a loopback port, in its own process.
import { clearInterval, setInterval } from 'node:timers';

import { GeckoAuth } from '@gecko-auth/core';

import { createFrameworkServer } from '../apps.mjs';
import { serveChild } from '../lib/child.mjs';
import { AllocationSampler, settledHeapUsed } from '../lib/heap.mjs';

const SAMPLE_INTERVAL_MS = 5;

await serveChild(async () => {
  const config = JSON.parse(process.env.BENCH_APP ?? '{}');
  const counter = { served: 0 };
  const auth =
    config.variant === 'gecko'
      ? new GeckoAuth({
          tokens: config.tokens,
          apiUrl: config.apiUrl,
          refreshUrl: config.refreshUrl,
        })
      : undefined;
  const server = createFrameworkServer(config.framework, {
    variant: config.variant,
    auth,
    apiUrl: config.apiUrl,
    idToken: config.tokens.id,
    counter,
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  let sampler;
  let timer;
  return {
    info: { url: `http://127.0.0.1:${port}`, pid: process.pid },
    handlers: {
      cpu: () => process.cpuUsage(),
      served: () => counter.served,
      heap: () => settledHeapUsed(),
      startSampling: () => {
        sampler = new AllocationSampler();
        sampler.sample(counter.served);
        timer = setInterval(() => sampler.sample(counter.served), SAMPLE_INTERVAL_MS);
      },
      stopSampling: async () => {
        clearInterval(timer);
        sampler.sample(counter.served);
        return sampler.stop();
      },
    },
    close: async () => {
      auth?.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
});

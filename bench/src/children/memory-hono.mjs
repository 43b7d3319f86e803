// Hono `app.fetch` in-process for the memory benchmark, in a process started with --expose-gc and a
// large young generation (see lib/heap.mjs).
import { GeckoAuth } from '@gecko-auth/core';

import { honoApp } from '../apps.mjs';
import { serveChild } from '../lib/child.mjs';
import { AllocationSampler, settledHeapUsed } from '../lib/heap.mjs';

const SAMPLE_EVERY = 500;
const WARM_UP_CALLS = 20_000;

await serveChild(async () => {
  const config = JSON.parse(process.env.BENCH_APP ?? '{}');
  const auth = new GeckoAuth({
    tokens: config.tokens,
    apiUrl: config.apiUrl,
    refreshUrl: config.refreshUrl,
  });
  const counter = { served: 0 };
  const apps = {
    bare: honoApp({ variant: 'bare', counter }),
    gecko: honoApp({ variant: 'gecko', auth, counter }),
  };

  const call = async (app) => {
    const response = await app.fetch(new globalThis.Request('http://localhost/hello'));
    if (response.status !== 200) throw new Error(`answered ${response.status}`);
    await response.arrayBuffer();
  };

  return {
    info: { pid: process.pid },
    handlers: {
      run: async ({ variant, count }) => {
        const app = apps[variant];
        for (let i = 0; i < WARM_UP_CALLS; i++) await call(app);

        const before = settledHeapUsed();
        const sampler = new AllocationSampler();
        const started = Date.now();
        sampler.sample(0);
        for (let i = 1; i <= count; i++) {
          await call(app);
          if (i % SAMPLE_EVERY === 0) sampler.sample(i);
        }
        const seconds = (Date.now() - started) / 1000;
        const allocation = await sampler.stop();
        const after = settledHeapUsed();
        return { requests: count, seconds, before, after, growth: after - before, allocation };
      },
    },
    close: () => auth.close(),
  };
});

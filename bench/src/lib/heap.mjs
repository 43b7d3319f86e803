/**
 * Heap measurements without --trace-gc:
 *
 * - retained heap: `global.gc()` (needs `--expose-gc`) a few times, then `heapUsed`;
 * - bytes allocated per request: the heap only grows between collections, so over an interval in
 *   which no GC ran, the growth of `used_heap_size` is exactly what was allocated. The sampler
 *   records (time, heap used, requests served) often, records every GC's time span with a
 *   PerformanceObserver, and sums growth and requests over the intervals no GC touched. A large
 *   young generation (`--min-semi-space-size` / `--max-semi-space-size`) makes most intervals
 *   GC-free.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

/** Collect garbage until the heap settles and return `heapUsed` in bytes. */
export function settledHeapUsed() {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('run with --expose-gc to measure retained heap');

  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Samples allocation; call `sample(requestsServedSoFar)` often while load runs. */
export class AllocationSampler {
  #samples = [];
  #gcs = [];
  #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.#gcs.push({ start: entry.startTime, end: entry.startTime + entry.duration });
    }
  });

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  sample(served) {
    this.#samples.push({
      t: performance.now(),
      heap: v8.getHeapStatistics().used_heap_size,
      served,
    });
  }

  /** Stop and summarise. Waits a moment so the observer has seen every GC of the run. */
  async stop() {
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.#observer.disconnect();

    let bytes = 0;
    let requests = 0;
    let clean = 0;
    const samples = this.#samples;
    for (let i = 1; i < samples.length; i++) {
      const from = samples[i - 1];
      const to = samples[i];
      const touched = this.#gcs.some((gc) => gc.start <= to.t && gc.end >= from.t);
      const grown = to.heap - from.heap;
      if (touched || grown < 0 || to.served === from.served) continue;

      bytes += grown;
      requests += to.served - from.served;
      clean++;
    }
    return {
      bytesPerRequest: requests === 0 ? Number.NaN : bytes / requests,
      requestsSampled: requests,
      intervalsUsed: clean,
      intervals: Math.max(0, samples.length - 1),
      gcs: this.#gcs.length,
    };
  }
}

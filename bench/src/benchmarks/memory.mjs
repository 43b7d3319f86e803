/**
 * 7. Memory: heap retained after GC across many requests through each middleware, and bytes
 * allocated per request (see lib/heap.mjs for the method). Hono runs `app.fetch` in-process in a
 * child; Express and Koa serve real HTTP from a child, loaded by autocannon with a fixed amount.
 */
import { closeAll, startAppChild, startEmulatorChild } from '../lib/apps-runner.mjs';
import { startChild } from '../lib/child.mjs';
import { bytes, fmt, label } from '../lib/format.mjs';
import { cannon } from '../lib/load.mjs';
import { ratio, round } from '../lib/stats.mjs';

export const name = 'memory';
export const title = 'Memory per request';
export const description =
  'Heap growth across many requests through each middleware, after forced GC (`--expose-gc`, `global.gc()` until settled, `heapUsed` before and after, after a warm-up), and bytes allocated per request. Allocation is measured without `--trace-gc`: the heap only grows between collections, so summing the growth of `used_heap_size` over sampling intervals that no GC touched (GC spans from a `PerformanceObserver`) and dividing by the requests served in them gives bytes allocated per request; a 64 MiB semi-space keeps most intervals GC-free. Hono: 1,000,000 in-process `app.fetch` calls (100,000 bare). Express and Koa: real HTTP from autocannon with a fixed amount, fewer than 1M requests to fit the time budget, so growth is extrapolated per 1M (said so in the table). `/touch` also builds the lazy per-request client (no network).';

const MIB = 2 ** 20;
const TARGET_MIB_PER_MILLION = 5;
/** Flags of the measured processes: explicit GC, and a young generation big enough that most
 * sampling intervals see no scavenge. */
const EXEC_ARGV = ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'];
const WARM_UP_REQUESTS = 5_000;

export async function run(settings) {
  const emulator = await startEmulatorChild();
  const measured = [];
  try {
    const tokens = await emulator.call('tokens');
    const base = { tokens, apiUrl: emulator.info.apiUrl, refreshUrl: emulator.info.refreshUrl };

    const hono = await startChild('memory-hono.mjs', {
      env: { BENCH_APP: JSON.stringify(base) },
      execArgv: EXEC_ARGV,
    });
    try {
      for (const variant of ['bare', 'gecko']) {
        const count = settings.memory.honoRequests[variant];
        const result = await hono.call('run', { variant, count });
        measured.push({ case: 'Hono `app.fetch` in-process', route: '/hello', variant, ...result });
      }
    } finally {
      await hono.close();
    }

    for (const framework of ['express', 'koa']) {
      for (const [variant, route] of [
        ['bare', '/hello'],
        ['gecko', '/hello'],
        ['gecko', '/touch'],
      ]) {
        const count = settings.memory.httpRequests[framework];
        const child = await startAppChild({ ...base, framework, variant }, EXEC_ARGV);
        try {
          measured.push({
            case: `${label(framework)} over HTTP`,
            route,
            variant,
            ...(await httpRun(child, `${child.info.url}${route}`, count)),
          });
        } finally {
          await closeAll([child]);
        }
      }
    }
  } finally {
    await emulator.close();
  }

  const rows = [];
  for (const entry of measured.filter((item) => item.variant === 'gecko')) {
    const baseline = measured.find((item) => item.case === entry.case && item.variant === 'bare');
    const perMillion = (entry.growth / entry.requests) * 1e6;
    const extrapolated = entry.requests < 1e6;
    const perRequest = entry.allocation.bytesPerRequest;
    rows.push({
      case: `${entry.case}, \`${entry.route}\``,
      measure: 'heap growth after GC per 1M requests',
      ratio: `${round(perMillion / MIB, 2)} MiB`,
      target: `< ${TARGET_MIB_PER_MILLION} MiB`,
      met: perMillion < TARGET_MIB_PER_MILLION * MIB,
      absolute:
        `${bytes(entry.growth)} over ${fmt(entry.requests)} requests` +
        `${extrapolated ? ' (extrapolated to 1M)' : ''}` +
        `${entry.growth <= 0 ? ', i.e. nothing retained' : ''}; allocated ${bytes(perRequest)}/req vs ` +
        `${bytes(baseline.allocation.bytesPerRequest)} bare ` +
        `(×${ratio(perRequest, baseline.allocation.bytesPerRequest)})`,
    });
  }

  return {
    rows,
    notes: [
      'Growth is `heapUsed` after forced GC at the end minus at the start (after a warm-up); a ' +
        'negative or tiny figure means nothing was retained beyond noise. Express and Koa ran ' +
        'fewer than 1M requests to fit the time budget; their growth per 1M is extrapolated.',
      '"Allocated per request" counts everything the process allocated for a request (HTTP ' +
        'parsing, framework, route), so the difference from bare is what the middleware adds.',
    ],
    tables: [
      {
        title: 'Heap after GC and allocation per request',
        columns: [
          'case',
          'route',
          'middleware',
          'requests',
          'heap before',
          'heap after',
          'growth per 1M',
          'allocated per request',
          'sampled requests (GC-free intervals)',
          'seconds',
        ],
        rows: measured.map((entry) => [
          entry.case,
          `\`${entry.route}\``,
          entry.variant === 'gecko' ? 'geckoAuth' : 'none',
          fmt(entry.requests),
          bytes(entry.before),
          bytes(entry.after),
          bytes((entry.growth / entry.requests) * 1e6),
          bytes(entry.allocation.bytesPerRequest),
          `${fmt(entry.allocation.requestsSampled)} (${entry.allocation.intervalsUsed}/${entry.allocation.intervals})`,
          round(entry.seconds, 1),
        ]),
      },
    ],
    data: measured,
  };
}

/** Warm up, settle the heap, sample allocation over `count` requests, settle again. */
async function httpRun(child, url, count) {
  await cannon(url, { amount: WARM_UP_REQUESTS, connections: 32 });
  const before = await child.call('heap');
  await child.call('startSampling');
  const started = Date.now();
  const load = await cannon(url, { amount: count, connections: 32 });
  const seconds = (Date.now() - started) / 1000;
  const allocation = await child.call('stopSampling');
  const after = await child.call('heap');
  if (load.errors + load.non2xx > 0)
    throw new Error(`${url}: ${load.errors + load.non2xx} failures`);
  return { requests: load.requests, seconds, before, after, growth: after - before, allocation };
}

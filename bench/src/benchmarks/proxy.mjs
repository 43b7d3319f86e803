/**
 * 2. Proxying cost: a route that fetches the emulator's `/forms/1` through the attached GeckoForm
 * client vs the same route doing a raw `fetch` with a hand-set Authorization header. The app, the
 * emulator and autocannon each run in their own process.
 */
import { FRAMEWORKS } from '../apps.mjs';
import { closeAll, startAppChild, startEmulatorChild } from '../lib/apps-runner.mjs';
import { bytes, fmt, label, signed } from '../lib/format.mjs';
import { compareLoad, compareTo } from '../lib/load.mjs';

export const name = 'proxy';
export const title = 'Proxying cost';
export const description =
  "A route that returns the emulator's `GET /forms/1`: through the request's attached client (`req.gecko` / `ctx.state.gecko` / `c.var.gecko`) vs a raw `fetch` with a hand-set `Authorization` header and no middleware. The app, the emulator and autocannon (32 connections) each run in their own process; 1 s warm-up, 3 rounds of 2 s per variant, the order reversed every round, medians. Heap retained is the app's `heapUsed` after forced GC, after the runs minus before.";
const TARGET = 0.95;

export async function run(settings) {
  const emulator = await startEmulatorChild();
  const rows = [];
  const results = [];
  try {
    const tokens = await emulator.call('tokens');
    const base = { tokens, apiUrl: emulator.info.apiUrl, refreshUrl: emulator.info.refreshUrl };
    for (const framework of FRAMEWORKS) {
      const children = [];
      try {
        const raw = await startAppChild({ ...base, framework, variant: 'bare' });
        children.push(raw);
        const timed = await startAppChild({ ...base, framework, variant: 'timeout' });
        children.push(timed);
        const gecko = await startAppChild({ ...base, framework, variant: 'gecko' });
        children.push(gecko);
        const heapBefore = { raw: await raw.call('heap'), gecko: await gecko.call('heap') };
        const result = await compareLoad(
          [
            { name: 'raw', url: `${raw.info.url}/form`, child: raw },
            { name: 'timed', url: `${timed.info.url}/form`, child: timed },
            { name: 'gecko', url: `${gecko.info.url}/form`, child: gecko },
          ],
          settings.proxyLoad,
        );
        const retained = {
          raw: (await raw.call('heap')) - heapBefore.raw,
          gecko: (await gecko.call('heap')) - heapBefore.gecko,
        };
        const compared = compareTo(result.raw, result.gecko);
        const againstTimed = compareTo(result.timed, result.gecko);
        results.push({
          framework,
          ...result,
          ...compared,
          timedRatio: againstTimed.ratio,
          retainedHeapAfterRuns: retained,
        });
        const failures = result.gecko.errors + result.gecko.non2xx;
        rows.push({
          case: `${label(framework)}: \`/forms/1\` via client`,
          measure: 'req/s, client ÷ raw fetch',
          ratio: compared.ratio,
          target: `≥ ${TARGET}`,
          met: compared.ratio >= TARGET && failures === 0,
          absolute:
            `${fmt(result.gecko.rps)} vs ${fmt(result.raw.rps)} req/s; app CPU ` +
            `${result.gecko.cpuUsPerRequest} vs ${result.raw.cpuUsPerRequest} µs/req ` +
            `(${signed(compared.addedCpuUsPerRequest)} µs); failures ${failures}`,
        });
        rows.push({
          case: `… vs a raw fetch with an abort signal and timeout, as the client has`,
          measure: 'req/s, client ÷ raw fetch with timeout',
          ratio: againstTimed.ratio,
          target: '—',
          met: undefined,
          absolute:
            `${fmt(result.gecko.rps)} vs ${fmt(result.timed.rps)} req/s; app CPU ` +
            `${result.gecko.cpuUsPerRequest} vs ${result.timed.cpuUsPerRequest} µs/req ` +
            `(${signed(againstTimed.addedCpuUsPerRequest)} µs)`,
        });
      } finally {
        await closeAll(children);
      }
    }
  } finally {
    await emulator.close();
  }

  const notes = [
    'Heap retained is measured right after the runs: work still pending then (such as timers of ' +
      'abort signals) counts, so a difference there is not necessarily a leak.',
  ];
  if (rows.some((row) => row.met === false)) {
    notes.push(
      'Cause of the misses: the client gives every call an abort signal and a timeout, and on ' +
        "Node 20 a signal passed to undici's fetch is expensive (compare the raw fetch with a " +
        'timeout, the second row per framework). Details in ' +
        '[bench/README.md, Findings](bench/README.md#findings).',
    );
  }
  return {
    rows,
    notes,
    tables: [
      {
        title: 'Proxy route over HTTP (autocannon, medians)',
        columns: [
          'framework',
          'raw fetch req/s',
          'raw + timeout req/s',
          'client req/s',
          'ratio',
          'app CPU µs/req raw',
          'client',
          'added µs/req',
          'p99 ms raw / client',
          'failures raw / client',
          'heap retained after runs, raw / client',
        ],
        rows: results.map((row) => [
          label(row.framework),
          fmt(row.raw.rps),
          fmt(row.timed.rps),
          fmt(row.gecko.rps),
          row.ratio,
          row.raw.cpuUsPerRequest,
          row.gecko.cpuUsPerRequest,
          signed(row.addedCpuUsPerRequest),
          `${row.raw.latencyP99Ms} / ${row.gecko.latencyP99Ms}`,
          `${row.raw.errors + row.raw.non2xx} / ${row.gecko.errors + row.gecko.non2xx}`,
          `${bytes(row.retainedHeapAfterRuns.raw)} / ${bytes(row.retainedHeapAfterRuns.gecko)}`,
        ]),
      },
    ],
    data: results,
  };
}

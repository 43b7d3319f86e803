/**
 * 1. Middleware overhead: a trivial route that never calls GeckoForm, bare vs with `geckoAuth`, per
 * framework over real HTTP (server in a child process, autocannon here), plus Hono's `app.fetch`
 * in-process over fresh `Request`s.
 */
import { performance } from 'node:perf_hooks';

import { GeckoAuth } from '@gecko-auth/core';

import { FRAMEWORKS, honoApp } from '../apps.mjs';
import { closeAll, startAppChild, startEmulatorChild } from '../lib/apps-runner.mjs';
import { fmt, label, signed } from '../lib/format.mjs';
import { rotate } from '../lib/client-load.mjs';
import { compareLoad, compareTo } from '../lib/load.mjs';
import { median, ratio, round, spread } from '../lib/stats.mjs';

export const name = 'overhead';
export const title = 'Middleware overhead';
export const description =
  "A trivial JSON route that never calls GeckoForm: bare, with an empty middleware (the floor for any middleware in that framework), and with `geckoAuth({ auth })`. Over HTTP: the app runs in a child process (one core), autocannon (64 connections) in the parent (the other core); 1 s warm-up each, then 4 rounds of 2 s per variant, in a different order every round, medians. Server CPU per request is the app process's `process.cpuUsage()` over a run divided by the requests it served: it is less sensitive to a noisy neighbour than req/s. In-process: Hono `app.fetch(new Request(...))` in a tight loop, 6 rounds of 0.6 s in rotating order, with an empty middleware as a second baseline.";
const TARGET = 0.97;
/** `noop` is an empty middleware: what any middleware costs in that framework. */
const VARIANTS = ['bare', 'noop', 'gecko'];

/** Rounds of the in-process loop, and the bounds of each round. */
const INPROCESS_ROUNDS = 6;
const INPROCESS_ROUND_MS = 600;
const INPROCESS_ROUND_MAX_CALLS = 200_000;

export async function run(settings) {
  const emulator = await startEmulatorChild();
  const rows = [];
  const http = [];
  try {
    const tokens = await emulator.call('tokens');
    const base = { tokens, apiUrl: emulator.info.apiUrl, refreshUrl: emulator.info.refreshUrl };
    for (const framework of FRAMEWORKS) {
      const children = [];
      try {
        for (const variant of VARIANTS) {
          children.push(await startAppChild({ ...base, framework, variant }));
        }
        const result = await compareLoad(
          VARIANTS.map((variant, i) => ({
            name: variant,
            url: `${children[i].info.url}/hello`,
            child: children[i],
          })),
          settings.load,
        );
        const compared = compareTo(result.bare, result.gecko);
        const noop = compareTo(result.bare, result.noop);
        http.push({ framework, ...result, ...compared, noopRatio: noop.ratio });
        rows.push({
          case: `${label(framework)} over HTTP`,
          measure: 'req/s, with ÷ bare',
          ratio: compared.ratio,
          target: `≥ ${TARGET}`,
          met: compared.ratio >= TARGET,
          absolute:
            `${fmt(result.gecko.rps)} vs ${fmt(result.bare.rps)} req/s; server CPU ` +
            `${result.gecko.cpuUsPerRequest} vs ${result.bare.cpuUsPerRequest} µs/req ` +
            `(${signed(compared.addedCpuUsPerRequest)} µs); an empty middleware: ${noop.ratio}`,
        });
      } finally {
        await closeAll(children);
      }
    }

    const inProcess = await honoInProcess(base);
    rows.push({
      case: 'Hono `app.fetch` in-process',
      measure: 'calls/s, with ÷ bare',
      ratio: inProcess.ratio,
      target: `≥ ${TARGET}`,
      met: inProcess.ratio >= TARGET,
      absolute:
        `${fmt(inProcess.gecko.opsPerSec)} vs ${fmt(inProcess.bare.opsPerSec)} calls/s ` +
        `(${inProcess.gecko.usPerCall} vs ${inProcess.bare.usPerCall} µs/call); an empty ` +
        `middleware alone: ${inProcess.noopRatio}`,
    });

    return {
      rows,
      notes: notes(http, inProcess),
      tables: [httpTable(http), inProcessTable(inProcess)],
      data: { http, inProcess },
    };
  } finally {
    await emulator.close();
  }
}

/** Hono's `app.fetch` in this process: bare, an empty middleware, and geckoAuth. */
async function honoInProcess(base) {
  const auth = new GeckoAuth(base);
  const counter = { served: 0 };
  const apps = {
    bare: honoApp({ variant: 'bare', counter }),
    noop: honoApp({ variant: 'noop', counter }),
    gecko: honoApp({ variant: 'gecko', auth, counter }),
  };

  const samples = { bare: [], noop: [], gecko: [] };
  const names = Object.keys(apps);
  try {
    for (const name of names) await loop(apps[name], 300);
    for (let round = 0; round < INPROCESS_ROUNDS; round++) {
      for (const name of rotate(names, round)) {
        samples[name].push(await loop(apps[name], INPROCESS_ROUND_MS));
      }
    }
  } finally {
    auth.close();
  }

  const summary = Object.fromEntries(
    names.map((name) => {
      const opsPerSec = median(samples[name]);
      return [
        name,
        {
          opsPerSec: round(opsPerSec),
          usPerCall: round(1e6 / opsPerSec, 2),
          spread: spread(samples[name]),
          runs: samples[name].map((value) => round(value)),
        },
      ];
    }),
  );
  return {
    ...summary,
    ratio: ratio(summary.gecko.opsPerSec, summary.bare.opsPerSec),
    noopRatio: ratio(summary.noop.opsPerSec, summary.bare.opsPerSec),
    geckoVsNoop: ratio(summary.gecko.opsPerSec, summary.noop.opsPerSec),
  };
}

/** Calls per second of `app.fetch(new Request(...))`, for `ms` or at most a fixed count. */
async function loop(app, ms) {
  const start = performance.now();
  const deadline = start + ms;
  let calls = 0;
  while (calls < INPROCESS_ROUND_MAX_CALLS) {
    const response = await app.fetch(new globalThis.Request('http://localhost/hello'));
    if (response.status !== 200) throw new Error(`in-process call answered ${response.status}`);
    calls++;
    if ((calls & 255) === 0 && performance.now() > deadline) break;
  }
  return (calls / (performance.now() - start)) * 1000;
}

function httpTable(http) {
  return {
    title: 'Over HTTP (autocannon, medians)',
    columns: [
      'framework',
      'bare req/s',
      'empty middleware req/s',
      'geckoAuth req/s',
      'ratio empty / geckoAuth',
      'server CPU µs/req bare / empty / geckoAuth',
      'geckoAuth added µs/req',
      'p99 ms bare / geckoAuth',
      'spread bare / geckoAuth',
    ],
    rows: http.map((row) => [
      label(row.framework),
      fmt(row.bare.rps),
      fmt(row.noop.rps),
      fmt(row.gecko.rps),
      `${row.noopRatio} / ${row.ratio}`,
      `${row.bare.cpuUsPerRequest} / ${row.noop.cpuUsPerRequest} / ${row.gecko.cpuUsPerRequest}`,
      signed(row.addedCpuUsPerRequest),
      `${row.bare.latencyP99Ms} / ${row.gecko.latencyP99Ms}`,
      `${row.bare.rpsSpread} / ${row.gecko.rpsSpread}`,
    ]),
  };
}

function inProcessTable(result) {
  return {
    title: 'Hono `app.fetch(new Request(...))` in-process (medians)',
    columns: ['variant', 'calls/s', 'µs/call', 'ratio to bare', 'spread'],
    rows: ['bare', 'noop', 'gecko'].map((name) => [
      { bare: 'bare', noop: 'empty middleware', gecko: 'geckoAuth' }[name],
      fmt(result[name].opsPerSec),
      result[name].usPerCall,
      ratio(result[name].opsPerSec, result.bare.opsPerSec),
      result[name].spread,
    ]),
  };
}

/** What the figures say beyond the ratios, and where a miss comes from. */
function notes(http, inProcess) {
  const own = http
    .map(
      (row) =>
        `${label(row.framework)} ${signed(
          round(row.gecko.cpuUsPerRequest - row.noop.cpuUsPerRequest, 1),
        )} µs`,
    )
    .join(', ');
  const lines = [
    `Server CPU per request that geckoAuth adds over an empty middleware: ${own}. The empty ` +
      'middleware column is the floor for any middleware in that framework.',
    `In-process, an empty Hono middleware alone gives ${inProcess.noopRatio} of bare and ` +
      `geckoAuth ${inProcess.geckoVsNoop} of the empty middleware: a trivial \`app.fetch\` ` +
      'costs so little that one extra async layer is several per cent of it.',
  ];
  const missed = http.some((row) => row.ratio < TARGET) || inProcess.ratio < TARGET;
  if (missed) {
    lines.push(
      'The misses are measured against a bare route: compare with the empty-middleware column, ' +
        "the floor for any middleware in that framework. What was found and fixed in geckoAuth's " +
        'own cost is in [bench/README.md, Findings](bench/README.md#findings).',
    );
  }
  return lines;
}

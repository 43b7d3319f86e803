/**
 * 4. axios: bare axios vs our interceptors (`createGeckoAxios`) vs axios-auth-refresh's interceptor,
 * all calling the same trivial loopback JSON server (in a child process) with a valid token. The
 * client is what is measured, so the load runs in this process.
 */
import { createGeckoAxios } from '@gecko-auth/axios';
import { GeckoAuth } from '@gecko-auth/core';
import { startEmulator } from '@gecko-auth/emulator';
import axios from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';

import { startChild } from '../lib/child.mjs';
import { compareClients } from '../lib/client-load.mjs';
import { fmt, signed } from '../lib/format.mjs';
import { pooledAgent } from '../lib/pool.mjs';
import { ratio, round } from '../lib/stats.mjs';

export const name = 'axios';
export const title = 'axios interceptors';
export const description =
  "`GET /forms/1` against a trivial `node:http` JSON server in a child process: axios with a static `Authorization` header vs `createGeckoAxios(auth)` vs axios-auth-refresh set up as its README recommends (a request interceptor reading the current token, `createAuthRefresh` with defaults). 32 concurrent request loops in this process, each instance with its own keep-alive agent; 4 runs of 2 s each in rotating order, each after an untimed 0.25 s pre-roll (all three share this process's heap), medians. Client CPU per request is this process's `process.cpuUsage()` per completed request.";
const TARGET = 0.97;

export async function run(settings) {
  const server = await startChild('echo-server.mjs');
  // The emulator only mints real tokens here; no request goes to it.
  const emulator = await startEmulator({ host: '127.0.0.1' });
  const tokens = await emulator.issueTokens();
  const auth = new GeckoAuth({ tokens, apiUrl: server.info.url, refreshUrl: emulator.refreshUrl });
  // One keep-alive agent per instance, the same settings for all three.
  const agent = () => pooledAgent(settings.axios.concurrency);

  const bare = axios.create({
    baseURL: server.info.url,
    headers: { Accept: 'application/json', Authorization: `Bearer ${tokens.id}` },
    httpAgent: agent(),
  });
  const ours = createGeckoAxios(auth, { httpAgent: agent() });
  const theirs = axiosAuthRefreshInstance(server.info.url, emulator.refreshUrl, tokens, agent());

  try {
    const check = await Promise.all(
      [bare, ours, theirs].map((instance) => instance.get('/forms/1')),
    );
    if (check.some((response) => response.status !== 200)) throw new Error('a client failed');

    const result = await compareClients(
      [
        { name: 'bare', call: () => bare.get('/forms/1') },
        { name: 'gecko', call: () => ours.get('/forms/1') },
        { name: 'axiosAuthRefresh', call: () => theirs.get('/forms/1') },
      ],
      settings.axios,
    );
    const oursRatio = ratio(result.gecko.rps, result.bare.rps);
    const theirsRatio = ratio(result.axiosAuthRefresh.rps, result.bare.rps);
    const added = round(result.gecko.cpuUsPerCall - result.bare.cpuUsPerCall, 2);
    const notes = [];
    if (oursRatio < TARGET) {
      notes.push(
        'Diagnosed cause of the miss is in [bench/README.md, Findings](bench/README.md#findings).',
      );
    }
    return {
      notes,
      rows: [
        {
          case: 'axios + `createGeckoAxios`',
          measure: 'req/s, with ÷ bare axios',
          ratio: oursRatio,
          target: `≥ ${TARGET}`,
          met: oursRatio >= TARGET && result.gecko.failed === 0,
          absolute:
            `${fmt(result.gecko.rps)} vs ${fmt(result.bare.rps)} req/s; client CPU ` +
            `${result.gecko.cpuUsPerCall} vs ${result.bare.cpuUsPerCall} µs/req (${signed(added)} µs)`,
        },
        {
          case: 'axios + axios-auth-refresh',
          measure: 'req/s, with ÷ bare axios',
          ratio: theirsRatio,
          target: '—',
          met: null,
          absolute: `${fmt(result.axiosAuthRefresh.rps)} req/s`,
        },
      ],
      tables: [
        {
          title: `GET /forms/1, ${settings.axios.concurrency} concurrent loops (medians)`,
          columns: ['client', 'req/s', 'ratio to bare', 'client CPU µs/req', 'failed', 'spread'],
          rows: [
            ['bare axios (static header)', result.bare],
            ['axios + createGeckoAxios', result.gecko],
            ['axios + axios-auth-refresh', result.axiosAuthRefresh],
          ].map(([label, value]) => [
            label,
            fmt(value.rps),
            ratio(value.rps, result.bare.rps),
            value.cpuUsPerCall,
            value.failed,
            value.rpsSpread,
          ]),
        },
      ],
      data: result,
    };
  } finally {
    auth.close();
    await emulator.close();
    await server.close();
  }
}

/**
 * axios-auth-refresh as its README sets it up: a request interceptor that reads the current token
 * on every request, and `createAuthRefresh` with a refresh function that stores the new token and
 * puts it on the failed request.
 */
export function axiosAuthRefreshInstance(baseURL, refreshUrl, initial, httpAgent, options = {}) {
  const state = { id: initial.id, refresh: initial.refresh, refreshes: 0 };
  const instance = axios.create({ baseURL, headers: { Accept: 'application/json' }, httpAgent });
  instance.interceptors.request.use((request) => {
    request.headers['Authorization'] = `Bearer ${state.id}`;
    return request;
  });
  const refreshAuthLogic = async (failedRequest) => {
    state.refreshes++;
    const response = await axios.get(refreshUrl, {
      headers: { Authorization: `Bearer ${state.refresh}` },
      httpAgent,
    });
    state.id = response.data.IdToken;
    state.refresh = response.data.RefreshToken ?? state.refresh;
    failedRequest.response.config.headers['Authorization'] = `Bearer ${state.id}`;
  };
  createAuthRefresh(instance, refreshAuthLogic, options);
  return Object.assign(instance, { refreshState: state });
}

import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { inspect } from 'node:util';
import latestAxios, { type AxiosStatic } from 'axios';
import floorAxios from 'axios-floor';
import { describe, expect, it } from 'vitest';
import { attachGeckoAuth } from '../src/index.ts';
import {
  apiLog,
  authFor,
  currentId,
  type Emulator,
  type ForeignHost,
  useServers,
} from './helpers.ts';

// The same scenarios against the oldest axios the peer range allows (1.6.0) and the newest.
// Old axios leaves redirects to follow-redirects, which keeps Authorization on a redirect to a
// subdomain: there, only the interceptors' own beforeRedirect guard keeps the token home.

let emu: Emulator;
let foreign: ForeignHost;
useServers((servers) => ({ emu, foreign } = servers));

/** Resolves localhost and every *.localhost name to 127.0.0.1, where the emulator listens. */
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** The part of axios these tests use, typed by the newest release's declarations. */
type Axios = Pick<AxiosStatic, 'create' | 'isAxiosError' | 'AxiosHeaders'>;

const versions: [string, Axios][] = [
  // 1.6.0's declarations differ in details these tests do not touch (beforeRedirect's arity);
  // what is tested here is its runtime.
  ['axios 1.6.0', floorAxios as unknown as Axios],
  ['axios latest', latestAxios],
];

describe.each(versions)('%s', (_name, axios) => {
  it('attaches the token on the API origin only', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth);

    await instance.get('/forms/1');
    await instance.get(`${foreign.url}/own`, { headers: { Authorization: 'Bearer own' } });

    expect(apiLog(emu)).toEqual([['/forms/1', tokens.id]]);
    expect(foreign.seen[0]?.authorization).toBe('Bearer own');
  });

  it('retries a 401 once with a refreshed token', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth);
    emu.fault('api', { status: 401 });

    const { status } = await instance.get('/forms/2');

    expect(status).toBe(200);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms/2', tokens.id],
      ['/forms/2', currentId(auth)],
    ]);
  });

  it('runs a response interceptor once around a 401 retry, sent by this axios version', async () => {
    const { auth } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth);
    let calls = 0;
    instance.interceptors.response.use((response) => {
      calls++;
      return response;
    });
    emu.fault('api', { status: 401 });

    const response = await instance.get<{ id: number }>('/forms/5');

    expect(response.data.id).toBe(5);
    expect(calls).toBe(1);
    expect(emu.stats.apiCalls).toBe(2);
    // Headers are wrapped by the axios copy that dispatched the request: the instance's own.
    expect(response.headers).toBeInstanceOf(axios.AxiosHeaders);
  });

  it('drops the token on a redirect to another host', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth);
    emu.fault('api', { redirectTo: `${foreign.url}/landing` });

    await instance.get('/forms');

    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      ['/landing', undefined],
    ]);
  });

  it('drops the token on a redirect to a subdomain of the API host', async () => {
    const { auth, tokens } = await authFor(emu, {
      apiUrl: emu.apiUrl.replace('127.0.0.1', 'localhost'),
    });
    const instance = axios.create({
      baseURL: auth.apiUrl,
      httpAgent: new Agent({ lookup: toLoopback }),
    });
    attachGeckoAuth(instance, auth, { retryOnUnauthorized: false });
    const { port } = new URL(emu.apiUrl);
    emu.fault('api', { redirectTo: `http://gecko.localhost:${port}/elsewhere` });

    const error: unknown = await instance.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(apiLog(emu)).toEqual([
      ['/forms', tokens.id],
      ['/elsewhere', undefined],
    ]);
  });

  it('keeps the token out of a printed AxiosError', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth);
    emu.fault('api', { status: 500 });

    const error: unknown = await instance.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(500);
    expect(inspect(error, { depth: 10 })).not.toContain(tokens.id);
    expect(JSON.stringify(error)).not.toContain(tokens.id);
  });
});

it('control: axios 1.6.0 on its own keeps Authorization on a redirect to a subdomain', async () => {
  const { tokens } = await authFor(emu);
  const { port } = new URL(emu.apiUrl);
  emu.fault('api', { redirectTo: `http://gecko.localhost:${port}/forms/3` });

  const { data } = await floorAxios.get<{ id: number }>(`http://localhost:${port}/forms`, {
    headers: { Authorization: `Bearer ${tokens.id}` },
    httpAgent: new Agent({ lookup: toLoopback }),
  });

  expect(data.id).toBe(3);
  expect(apiLog(emu)).toEqual([
    ['/forms', tokens.id],
    ['/forms/3', tokens.id],
  ]);
});

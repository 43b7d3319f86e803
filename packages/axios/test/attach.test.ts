import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachGeckoAuth, createGeckoAxios } from '../src/index.ts';
import { apiLog, authFor, type Emulator, type ForeignHost, useServers } from './helpers.ts';

let emu: Emulator;
let foreign: ForeignHost;
useServers((servers) => ({ emu, foreign } = servers));

describe('createGeckoAxios', () => {
  it('lists forms with the ID token, from baseURL = apiUrl and Accept: application/json', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);

    const { status, data } = await gecko.get<{ data: unknown[]; per_page: number }>('/forms', {
      params: { per_page: 15 },
    });

    expect(status).toBe(200);
    expect(data.data).toHaveLength(15);
    expect(data.per_page).toBe(15);
    expect(gecko.defaults.baseURL).toBe(emu.apiUrl);
    expect(apiLog(emu)).toEqual([['/forms?per_page=15', tokens.id]]);
    expect(emu.stats.refreshCalls).toBe(0);

    await gecko.get(`${foreign.url}/accept`);
    expect(foreign.seen[0]?.accept).toBe('application/json');
  });

  it('merges the given config over its defaults the way axios.create does', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { headers: { 'X-Trace': 'abc' }, timeout: 5_000 });

    await gecko.get(`${foreign.url}/merged`);

    expect(gecko.defaults.timeout).toBe(5_000);
    expect(gecko.defaults.baseURL).toBe(emu.apiUrl);
    expect(foreign.seen[0]?.accept).toBe('application/json');
    expect(gecko.defaults.headers['X-Trace']).toBe('abc');
  });

  it('lets a baseURL or Accept header in the given config win', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { baseURL: foreign.url, headers: { Accept: 'text/csv' } });

    await gecko.get('/export');

    expect(foreign.seen.map(({ path, accept }) => [path, accept])).toEqual([
      ['/export', 'text/csv'],
    ]);
    expect(foreign.seen[0]?.authorization).toBeUndefined();
  });
});

describe('origin scoping', () => {
  it('replaces a user Authorization header on the API origin with the ID token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);

    await gecko.get('/forms/1', { headers: { Authorization: 'Bearer not-the-gecko-token' } });

    expect(apiLog(emu)).toEqual([['/forms/1', tokens.id]]);
  });

  it('sends no ID token to another host, and keeps the header the user set for it', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);

    await gecko.get(`${foreign.url}/plain`);
    await gecko.get(`${foreign.url}/own`, { headers: { Authorization: 'Bearer other-service' } });

    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      ['/plain', undefined],
      ['/own', 'Bearer other-service'],
    ]);
    expect(JSON.stringify(foreign.seen)).not.toContain(tokens.id);
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('treats the same host on another port as a foreign origin', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const apiPort = new URL(emu.apiUrl).port;
    expect(foreign.url).not.toContain(apiPort);

    await gecko.get(foreign.url);

    expect(foreign.seen[0]?.authorization).toBeUndefined();
    expect(JSON.stringify(foreign.seen)).not.toContain(tokens.id);
  });

  it('resolves URLs by axios rules: with allowAbsoluteUrls false, baseURL decides', async () => {
    const { auth, tokens } = await authFor(emu);
    const toApi = createGeckoAxios(auth, { allowAbsoluteUrls: false });
    const toForeign = axios.create({ baseURL: foreign.url, allowAbsoluteUrls: false });
    attachGeckoAuth(toForeign, auth);

    // Both URLs are joined onto their baseURL, so the first goes to the API, the second does not.
    await toApi.get(`${foreign.url}/joined`, { validateStatus: () => true });
    await toForeign.get(`${emu.apiUrl}/forms`);

    expect(apiLog(emu)).toEqual([[`/${foreign.url}/joined`, tokens.id]]);
    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      [`/${emu.apiUrl}/forms`, undefined],
    ]);
  });

  it('attaches the token to an absolute API URL sent through an instance with no baseURL', async () => {
    const { auth, tokens } = await authFor(emu);
    const plain = axios.create();
    attachGeckoAuth(plain, auth);

    await plain.get(`${emu.apiUrl}/forms/2`);

    expect(apiLog(emu)).toEqual([['/forms/2', tokens.id]]);
  });
});

describe('attachGeckoAuth', () => {
  it('returns a function that ejects both interceptors', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    const eject = attachGeckoAuth(instance, auth);

    await instance.get('/forms/3');
    emu.fault('api', { status: 401 });
    eject();
    const error: unknown = await instance.get('/forms/3').catch((caught: unknown) => caught);

    // No token on the request, and the 401 was not retried: both interceptors are gone.
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(apiLog(emu)).toEqual([
      ['/forms/3', tokens.id],
      ['/forms/3', undefined],
    ]);
    expect(emu.stats.refreshCalls).toBe(0);
    expect(() => eject()).not.toThrow();
  });

  it('leaves interceptors the user installed in place when ejecting', async () => {
    const { auth } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    const seen: string[] = [];
    instance.interceptors.request.use((config) => {
      seen.push(config.url ?? '');
      return config;
    });
    attachGeckoAuth(instance, auth)();

    await instance.get(`${foreign.url}/after-eject`);

    expect(seen).toEqual([`${foreign.url}/after-eject`]);
  });

  it('fails at once, naming the problem, for an invalid instance, auth or option', async () => {
    const { auth } = await authFor(emu);
    const instance = axios.create();
    const invalid =
      (...args: unknown[]) =>
      () =>
        Reflect.apply(attachGeckoAuth, undefined, args) as unknown;

    expect(invalid({}, auth)).toThrow(/`instance` must be an axios instance/);
    expect(invalid(instance, {})).toThrow(/`auth` must be a GeckoAuth/);
    expect(invalid(instance, { ...methodsOf(auth), apiUrl: '/relative' })).toThrow(/apiUrl/);
    expect(invalid(instance, auth, { retryOnUnauthorized: 'no' })).toThrow(/retryOnUnauthorized/);
    expect(instance.interceptors.request.handlers ?? []).toHaveLength(0);
  });
});

function methodsOf(auth: { getIdToken: unknown; handleUnauthorized: unknown }) {
  return { getIdToken: auth.getIdToken, handleUnauthorized: auth.handleUnauthorized };
}

import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { createGeckoAxios } from '../src/index.ts';
import {
  apiLog,
  authFor,
  currentId,
  type Emulator,
  type ForeignHost,
  useServers,
} from './helpers.ts';

let emu: Emulator;
let foreign: ForeignHost;
useServers((servers) => ({ emu, foreign } = servers));

describe('redirects', () => {
  it('a redirect from the API to another origin does not carry the ID token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { redirectTo: `${foreign.url}/landing` });

    const { data } = await gecko.get<{ host: string }>('/forms');

    expect(data.host).toBe('foreign');
    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      ['/landing', undefined],
    ]);
  });

  it('with the fetch adapter, a redirect to another origin does not carry the token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { adapter: 'fetch' });
    emu.fault('api', { redirectTo: `${foreign.url}/fetched` });

    const { data } = await gecko.get<{ host: string }>('/forms');

    expect(data.host).toBe('foreign');
    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      ['/fetched', undefined],
    ]);
  });

  it('a redirect within the API origin keeps the ID token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { redirectTo: `${emu.apiUrl}/forms/9` });

    const { data } = await gecko.get<{ id: number }>('/forms/1');

    expect(data.id).toBe(9);
    expect(apiLog(emu)).toEqual([
      ['/forms/1', tokens.id],
      ['/forms/9', tokens.id],
    ]);
  });

  it("runs the user's beforeRedirect after dropping the token, so it may set its own header", async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { redirectTo: `${foreign.url}/signed` });
    const targets: unknown[] = [];
    const hadAuthorization: boolean[] = [];

    await gecko.get('/forms', {
      beforeRedirect: (options) => {
        targets.push(options['href']);
        const headers = options['headers'] as Record<string, string>;
        hadAuthorization.push(Object.keys(headers).some(isAuthorization));
        headers['Authorization'] = 'Bearer for-the-other-host';
      },
    });

    expect(targets).toEqual([`${foreign.url}/signed`]);
    expect(hadAuthorization).toEqual([false]);
    expect(foreign.seen[0]?.authorization).toBe('Bearer for-the-other-host');
    expect(JSON.stringify(foreign.seen)).not.toContain(tokens.id);
  });

  it("keeps the user's beforeRedirect working for redirects within the API origin", async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { redirectTo: `${emu.apiUrl}/forms/4` });
    let calls = 0;

    await gecko.get('/forms/3', { beforeRedirect: () => void calls++ });

    expect(calls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms/3', tokens.id],
      ['/forms/4', tokens.id],
    ]);
  });
});

describe.each(['http', 'fetch'] as const)('a 401 after a redirect, %s adapter', (adapter) => {
  it('from another origin does not refresh or retry: it is not a verdict on the ID token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { adapter });
    emu.fault('api', { redirectTo: `${foreign.url}/status/401` });

    const error: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(emu.stats.refreshCalls).toBe(0);
    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
    expect(foreign.seen.map(({ path, authorization }) => [path, authorization])).toEqual([
      ['/status/401', undefined],
    ]);
    expect(axios.isAxiosError(error) && error.request).toMatchObject({
      method: 'GET',
      url: `${foreign.url}/status/401`,
      path: '/status/401',
    });
  });

  it('from the API origin still refreshes and retries once', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { adapter });
    emu.fault('api', { redirectTo: `${emu.apiUrl}/forms/9` });
    emu.fault('api', { status: 401 });

    const { data } = await gecko.get<{ id: number }>('/forms/1');

    expect(data.id).toBe(1);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms/1', tokens.id],
      ['/forms/9', tokens.id],
      ['/forms/1', currentId(auth)],
    ]);
  });
});

function isAuthorization(name: string): boolean {
  return name.toLowerCase() === 'authorization';
}

import { inspect } from 'node:util';
import axios, { type InternalAxiosRequestConfig } from 'axios';
import type { TokenSource } from '@gecko-auth/core';
import { describe, expect, it } from 'vitest';
import { attachGeckoAuth, createGeckoAxios } from '../src/index.ts';
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

/** A user response interceptor in the common `r => r.data` style that counts its calls. */
function unwrapData(instance: { interceptors: typeof axios.interceptors }) {
  const calls = { fulfilled: 0, rejected: 0 };
  instance.interceptors.response.use(
    (response) => {
      calls.fulfilled++;
      return response.data as never;
    },
    (error: unknown) => {
      calls.rejected++;
      throw error;
    },
  );
  return calls;
}

describe('user interceptors around a 401 retry', () => {
  it('a response interceptor registered after attach runs once per request, with or without a retry', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const calls = unwrapData(gecko);

    const plain: unknown = await gecko.get('/forms/3');
    emu.fault('api', { status: 401 });
    const retried: unknown = await gecko.get('/forms/7');

    expect(plain).toMatchObject({ id: 3 });
    expect(retried).toMatchObject({ id: 7 });
    expect(calls).toEqual({ fulfilled: 2, rejected: 0 });
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('its error handler runs once for a 401 that stays a 401 after the retry', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const calls = unwrapData(gecko);
    emu.fault('api', { status: 401, times: Infinity });

    const error: unknown = await gecko.get('/forms/1').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(calls).toEqual({ fulfilled: 0, rejected: 1 });
    expect(emu.stats.apiCalls).toBe(2);
  });

  it('a response interceptor registered before attach sees the 401 and not the retry', async () => {
    const { auth } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    const calls = unwrapData(instance);
    attachGeckoAuth(instance, auth);
    emu.fault('api', { status: 401 });

    const response = await instance.get<{ id: number }>('/forms/6');

    expect(response.data.id).toBe(6);
    expect(calls).toEqual({ fulfilled: 0, rejected: 1 });
  });

  it('request interceptors run once; the retry goes out with what they did to the config', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    let calls = 0;
    const stamp = (config: InternalAxiosRequestConfig) => {
      calls++;
      config.params = { ...config.params, seq: calls };
      return config;
    };
    // One that runs after gecko-auth's (registered before it), one that runs before.
    instance.interceptors.request.use(stamp);
    attachGeckoAuth(instance, auth);
    instance.interceptors.request.use(stamp);
    emu.fault('api', { status: 401 });

    const { data } = await instance.get<{ id: number }>('/forms/2');

    expect(data.id).toBe(2);
    expect(calls).toBe(2);
    expect(apiLog(emu)).toEqual([
      ['/forms/2?seq=2', tokens.id],
      ['/forms/2?seq=2', currentId(auth)],
    ]);
  });

  it('a default header a request interceptor deleted stays deleted on the retry', async () => {
    // A token source for the recording host, which answers 401 on this path every time.
    const source: TokenSource = {
      apiUrl: foreign.url,
      getIdToken: async () => 'first',
      handleUnauthorized: async () => 'second',
    };
    const instance = axios.create({
      baseURL: foreign.url,
      headers: { Accept: 'application/json' },
    });
    attachGeckoAuth(instance, source);
    instance.interceptors.request.use((config) => {
      config.headers.delete('Accept');
      return config;
    });

    await instance.get('/status/401').catch(() => undefined);

    expect(foreign.seen.map(({ authorization, accept }) => [authorization, accept])).toEqual([
      ['Bearer first', undefined],
      ['Bearer second', undefined],
    ]);
  });

  it('the retried response reaches later interceptors with the token already redacted', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const printed: string[] = [];
    gecko.interceptors.response.use((response) => {
      printed.push(inspect(response, { showHidden: true, depth: 20 }));
      return response;
    });
    emu.fault('api', { status: 401 });

    const response = await gecko.get('/forms/4');

    expect(response.config.headers.Authorization).toBe('[REDACTED]');
    expect(printed).toHaveLength(1);
    expect(printed[0]).not.toContain(tokens.id);
    expect(printed[0]).not.toContain(currentId(auth));
  });

  it('a retry that fails reaches later error handlers once, as an AxiosError of the retry', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const calls = unwrapData(gecko);
    emu.fault('api', { status: 401 });
    emu.fault('api', { status: 503 });

    const error: unknown = await gecko.get('/forms/5').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(503);
    expect(calls).toEqual({ fulfilled: 0, rejected: 1 });
    expect(emu.stats.refreshCalls).toBe(1);
  });
});

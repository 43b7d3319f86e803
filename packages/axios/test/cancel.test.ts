import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { RefreshTimeoutError } from '@gecko-auth/core';
import { createGeckoAxios } from '../src/index.ts';
import {
  PAST_ID_EXPIRY_MS,
  apiLog,
  authFor,
  currentId,
  until,
  type Emulator,
  useServers,
} from './helpers.ts';

let emu: Emulator;
useServers((servers) => ({ emu } = servers));

// Core gives up on a hung refresh after refreshTimeout and rejects with RefreshTimeoutError; a
// request that ignored its own signal or timeout would reject with that, not the axios error.
const REFRESH_TIMEOUT_MS = 3_000;

/** A GeckoAuth whose ID token has expired and whose refresh endpoint never answers. */
async function hungRefresh() {
  const { auth, tokens } = await authFor(emu, { refreshTimeout: REFRESH_TIMEOUT_MS });
  emu.fault('refresh', { hang: true, times: Infinity });
  emu.clock.advance(PAST_ID_EXPIRY_MS);
  return { auth, tokens, gecko: createGeckoAxios(auth) };
}

function settle(request: Promise<unknown>): Promise<unknown> {
  return request.then(
    () => expect.fail('the request should have failed'),
    (error: unknown) => error,
  );
}

describe('a request waiting for a refresh', () => {
  it('rejects as cancelled when its signal aborts, not when the refresh gives up', async () => {
    const { gecko } = await hungRefresh();
    const controller = new AbortController();

    const pending = settle(gecko.get('/forms/1', { signal: controller.signal }));
    await until(() => emu.stats.refreshCalls === 1);
    controller.abort();
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    expect(error).toBeInstanceOf(axios.CanceledError);
    expect(axios.isAxiosError(error) && error.code).toBe('ERR_CANCELED');
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('rejects as cancelled at once when its signal has aborted already', async () => {
    const { gecko } = await hungRefresh();

    const error = await settle(gecko.get('/forms/1', { signal: AbortSignal.abort() }));

    expect(axios.isCancel(error)).toBe(true);
    expect(emu.stats.apiCalls).toBe(0);
    // The refresh the request asked for goes on all the same.
    await until(() => emu.stats.refreshCalls === 1);
  });

  it('rejects with the reason of a cancelled cancel token', async () => {
    const { gecko } = await hungRefresh();
    const source = axios.CancelToken.source();

    const pending = settle(gecko.get('/forms/1', { cancelToken: source.token }));
    await until(() => emu.stats.refreshCalls === 1);
    source.cancel('the user went away');
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    expect(error instanceof Error && error.message).toBe('the user went away');
  });

  it('rejects like an axios timeout when its timeout elapses: ECONNABORTED', async () => {
    const { gecko } = await hungRefresh();

    const error = await settle(gecko.get('/forms/1', { timeout: 100 }));

    expect(axios.isAxiosError(error)).toBe(true);
    expect(axios.isCancel(error)).toBe(false);
    if (!axios.isAxiosError(error)) return;
    expect(error.code).toBe('ECONNABORTED');
    expect(error.message).toBe('timeout of 100ms exceeded');
    expect(error.config?.timeout).toBe(100);
    // Nothing was sent: like any error raised before sending, it has neither request nor response.
    expect(error.request).toBeUndefined();
    expect(error.response).toBeUndefined();
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('with transitional.clarifyTimeoutError, a timeout is ETIMEDOUT with its custom message', async () => {
    const { gecko } = await hungRefresh();

    const error = await settle(
      gecko.get('/forms/1', {
        timeout: 100,
        timeoutErrorMessage: 'GeckoForm took too long',
        transitional: { clarifyTimeoutError: true },
      }),
    );

    expect(axios.isAxiosError(error) && [error.code, error.message]).toEqual([
      'ETIMEDOUT',
      'GeckoForm took too long',
    ]);
  });

  it('with the fetch adapter, a timeout is ETIMEDOUT, as that adapter reports its own', async () => {
    const { auth } = await hungRefresh();
    const gecko = createGeckoAxios(auth, { adapter: 'fetch' });

    const error = await settle(gecko.get('/forms/1', { timeout: 100 }));

    expect(axios.isAxiosError(error) && error.code).toBe('ETIMEDOUT');
  });

  it('leaves the shared refresh running for the requests still waiting', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('refresh', { delayMs: 1_000 });
    emu.clock.advance(PAST_ID_EXPIRY_MS);
    let refreshed = false;
    auth.on('refresh', () => {
      refreshed = true;
    });
    const controller = new AbortController();

    const aborted = settle(gecko.get('/forms/1', { signal: controller.signal }));
    const patient = gecko.get<{ id: number }>('/forms/2');
    await until(() => emu.stats.refreshCalls === 1);
    controller.abort();
    const error = await aborted;
    const refreshedWhenAborted = refreshed;
    const { data } = await patient;

    expect(axios.isCancel(error)).toBe(true);
    expect(refreshedWhenAborted).toBe(false);
    expect(data.id).toBe(2);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(currentId(auth)).not.toBe(tokens.id);
    expect(apiLog(emu)).toEqual([['/forms/2', currentId(auth)]]);
  });

  it('the wait after a 401 honours the signal too', async () => {
    const { auth, tokens } = await authFor(emu, { refreshTimeout: REFRESH_TIMEOUT_MS });
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 401 });
    emu.fault('refresh', { hang: true, times: Infinity });
    const controller = new AbortController();

    const pending = settle(gecko.get('/forms/3', { signal: controller.signal }));
    await until(() => emu.stats.refreshCalls === 1);
    controller.abort();
    const error = await pending;

    expect(axios.isCancel(error)).toBe(true);
    expect(error).not.toBeInstanceOf(RefreshTimeoutError);
    expect(apiLog(emu)).toEqual([['/forms/3', tokens.id]]);
  });

  it('the wait after a 401 honours the timeout too', async () => {
    const { auth } = await authFor(emu, { refreshTimeout: REFRESH_TIMEOUT_MS });
    const gecko = createGeckoAxios(auth, { timeout: 300 });
    emu.fault('api', { status: 401 });
    emu.fault('refresh', { hang: true, times: Infinity });

    const error = await settle(gecko.get('/forms/3'));

    expect(axios.isAxiosError(error) && error.code).toBe('ECONNABORTED');
    expect(emu.stats.apiCalls).toBe(1);
  });
});

import axios, { type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { GeckoAuth, ReauthRequiredError, RefreshError, type TokenSource } from '@gecko-auth/core';
import { attachGeckoAuth, createGeckoAxios } from '../src/index.ts';
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

describe('a 401 from the API', () => {
  it('refreshes once and retries once with the new token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 401 });

    const { status, data } = await gecko.get<{ id: number }>('/forms/7');

    const fresh = currentId(auth);
    expect(status).toBe(200);
    expect(data.id).toBe(7);
    expect(fresh).not.toBe(tokens.id);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms/7', tokens.id],
      ['/forms/7', fresh],
    ]);
  });

  it('rejects with the 401 AxiosError after one retry when the API refuses every token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 401, times: Infinity });

    const error: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error)).toBe(true);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms', tokens.id],
      ['/forms', currentId(auth)],
    ]);
  });

  it('never loops: concurrent requests against an API that always answers 401', async () => {
    const { auth } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 401, times: Infinity });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => gecko.get(`/forms/${i + 1}`)),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(10).fill('rejected'));
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(20);
  });

  it('never re-sends a retried request, even when the token source offers yet another token', async () => {
    const { auth } = await authFor(emu);
    let unauthorizedCalls = 0;
    // Unlike GeckoAuth, this source refreshes on every 401, so only the retry mark stops a loop.
    const eager: TokenSource = {
      apiUrl: auth.apiUrl,
      getIdToken: () => auth.getIdToken(),
      handleUnauthorized: async () => {
        if (++unauthorizedCalls > 3) throw new Error('looping');
        return (await auth.refresh()).id;
      },
    };
    const gecko = createGeckoAxios(eager);
    emu.fault('api', { status: 401, times: Infinity });

    const error: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(unauthorizedCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(2);
  });

  it('retries with exactly the token handleUnauthorized returned', async () => {
    const { auth, tokens } = await authFor(emu);
    // A source whose getIdToken lags behind: the retry must not ask it again.
    const lagging: TokenSource = {
      apiUrl: auth.apiUrl,
      getIdToken: async () => tokens.id,
      handleUnauthorized: async () => (await auth.refresh()).id,
    };
    const gecko = createGeckoAxios(lagging);
    emu.fault('api', { status: 401 });

    await gecko.get('/forms/6');

    expect(apiLog(emu)).toEqual([
      ['/forms/6', tokens.id],
      ['/forms/6', currentId(auth)],
    ]);
    expect(currentId(auth)).not.toBe(tokens.id);
  });

  it('rejects with the original AxiosError, unretried, when no newer token exists', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    // A token obtained by refresh this instant is not refreshed again because of a 401.
    await auth.refresh();
    emu.resetStats();
    emu.fault('api', { status: 401 });

    const error: unknown = await gecko.get('/forms/1').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(emu.stats.refreshCalls).toBe(0);
    expect(apiLog(emu)).toEqual([['/forms/1', currentId(auth)]]);
    expect(currentId(auth)).not.toBe(tokens.id);
  });

  it('is passed through untouched with retryOnUnauthorized: false', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth, { retryOnUnauthorized: false });
    emu.fault('api', { status: 401 });

    const error: unknown = await instance.get('/forms').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(emu.stats.refreshCalls).toBe(0);
    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
  });

  it('retries requests in flight during a refresh with the new token, refreshing once', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    // Five slow requests reach the API with the old token; their 401s come back after the
    // refresh has started (usually after it has finished).
    emu.fault('api', { status: 401, delayMs: 1_000, times: 5 });

    const slow = Array.from({ length: 5 }, (_, i) => gecko.get(`/forms/${i + 1}`));
    await until(() => emu.stats.apiCalls === 5);
    await auth.refresh();
    const results = await Promise.all(slow);

    const fresh = currentId(auth);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCallsByToken.get(tokens.id)).toBe(5);
    expect(emu.stats.apiCallsByToken.get(fresh)).toBe(5);
  });
});

describe('ID token expiry', () => {
  it('200 concurrent requests across expiry: one refresh, all succeed with the new token', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    await gecko.get('/forms/1');
    emu.clock.advance(PAST_ID_EXPIRY_MS);
    emu.resetStats();

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => gecko.get(`/forms/${(i % 40) + 1}`)),
    );

    const fresh = currentId(auth);
    expect(fresh).not.toBe(tokens.id);
    expect(results.filter((result) => result.status === 200)).toHaveLength(200);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.unauthorizedApiCalls).toBe(0);
    expect(emu.stats.apiCallsByToken.get(fresh)).toBe(200);
    expect(emu.stats.apiCallsByToken.has(tokens.id)).toBe(false);
  });

  it('does not route the refresh through the intercepted instance', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    const seen: string[] = [];
    gecko.interceptors.request.use((config) => {
      seen.push(gecko.getUri(config));
      return config;
    });
    emu.clock.advance(PAST_ID_EXPIRY_MS);

    await gecko.get('/forms/1');

    expect(seen).toEqual([`${emu.apiUrl}/forms/1`]);
    expect(emu.stats.refreshCalls).toBe(1);
    const refreshCall = emu.stats.requests.find((entry) => entry.server === 'account');
    expect(refreshCall?.authorization).toBe(`Bearer ${tokens.refresh}`);
  });

  it('does not deadlock even when GeckoAuth is given a fetch built on the same instance', async () => {
    const tokens = await emu.issueTokens();
    // The refresh goes to the account origin, which the interceptors leave alone: it must not
    // wait for a token that only this refresh can produce.
    const viaInstance: typeof fetch = async (input, init) => {
      const response: AxiosResponse<string> = await gecko.request({
        url: String(input),
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init?.headers)),
        responseType: 'text',
        validateStatus: () => true,
      });
      return new Response(response.data, { status: response.status });
    };
    const auth = new GeckoAuth({
      tokens,
      apiUrl: emu.apiUrl,
      refreshUrl: emu.refreshUrl,
      clock: { now: () => emu.clock.now() },
      fetch: viaInstance,
    });
    const gecko = createGeckoAxios(auth);
    emu.clock.advance(PAST_ID_EXPIRY_MS);

    const { status } = await gecko.get('/forms/2');

    expect(status).toBe(200);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([['/forms/2', currentId(auth)]]);
  });
});

describe('when the auth itself fails', () => {
  it('rejects fast with ReauthRequiredError once the refresh token is refused', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.revoke(tokens.refresh);
    emu.clock.advance(PAST_ID_EXPIRY_MS);

    const first: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);
    const second: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(first).toBeInstanceOf(ReauthRequiredError);
    expect((first as ReauthRequiredError).code).toBe('GECKO_REAUTH_REQUIRED');
    expect((first as ReauthRequiredError).refreshStatus).toBe(401);
    expect(second).toBe(first);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(0);
    expect(auth.status).toBe('reauth-required');
  });

  it('rejects with RefreshError when the refresh endpoint keeps failing and the token expired', async () => {
    const { auth } = await authFor(emu, { refreshRetries: 0 });
    const gecko = createGeckoAxios(auth);
    emu.fault('refresh', { status: 503, times: Infinity });
    emu.clock.advance(PAST_ID_EXPIRY_MS);

    const error: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RefreshError);
    expect((error as RefreshError).code).toBe('GECKO_REFRESH_FAILED');
    expect((error as RefreshError).refreshStatus).toBe(503);
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('rejects with ReauthRequiredError, not the 401, when the refresh after a 401 is refused', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.revoke(tokens.refresh);
    emu.fault('api', { status: 401 });

    const error: unknown = await gecko.get('/forms').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ReauthRequiredError);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([['/forms', tokens.id]]);
  });

  it('after a 401 led to re-auth, each later call sends one request until the ID token expires', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.revoke(tokens.refresh);
    emu.fault('api', { status: 401, times: Infinity });

    const first: unknown = await gecko.get('/forms/1').catch((caught: unknown) => caught);
    const second: unknown = await gecko.get('/forms/2').catch((caught: unknown) => caught);
    emu.clock.advance(PAST_ID_EXPIRY_MS);
    const third: unknown = await gecko.get('/forms/3').catch((caught: unknown) => caught);

    expect([first, second, third].map((error) => error instanceof ReauthRequiredError)).toEqual([
      true,
      true,
      true,
    ]);
    expect(emu.stats.refreshCalls).toBe(1);
    // The README's promise: one request (and its 401) per call while the ID token lives, none after.
    expect(apiLog(emu)).toEqual([
      ['/forms/1', tokens.id],
      ['/forms/2', tokens.id],
    ]);
  });

  it('after a refused early refresh, calls succeed until the ID token expires, then fail at once', async () => {
    const hour = 60 * 60 * 1000;
    const { auth, tokens } = await authFor(emu, { refreshWindow: hour });
    const gecko = createGeckoAxios(auth);
    emu.revoke(tokens.refresh);
    emu.clock.advance(24 * hour - hour / 2);

    const early = await gecko.get('/forms/1');
    await until(() => auth.status === 'reauth-required');
    const later = await gecko.get('/forms/2');
    emu.clock.advance(hour);
    const expired: unknown = await gecko.get('/forms/3').catch((caught: unknown) => caught);

    expect([early.status, later.status]).toEqual([200, 200]);
    expect(expired).toBeInstanceOf(ReauthRequiredError);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(apiLog(emu)).toEqual([
      ['/forms/1', tokens.id],
      ['/forms/2', tokens.id],
    ]);
  });
});

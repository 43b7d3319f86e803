/**
 * The fault matrix: one test per fault, named after it. Each refresh fault is checked in three
 * phases — inside the refresh window (requests must keep succeeding on the current token), after
 * expiry (callers get a typed error quickly, with bounded refresh attempts), and after the
 * endpoint heals (the library recovers by itself). RELIABILITY.md tabulates what these show.
 */
import type { Emulator, Fault } from '@gecko-auth/emulator';
import { describe, expect, it } from 'vitest';

import { GeckoApiError, type GeckoAuth } from '../src/index.js';
import { DAY, HOUR, foreignServer, setup } from './helpers.js';

const MINUTE = 60_000;
const RETRIES = 2;

interface Observed {
  code: string;
  attempts: number;
  elapsedMs: number;
}

async function refreshFaultScenario(
  fault: Fault | ((emu: Emulator) => Promise<Fault>),
  options: { refreshTimeout?: number } = {},
): Promise<Observed> {
  const { emu, tokens, auth } = await setup({
    refreshRetries: RETRIES,
    refreshTimeout: options.refreshTimeout ?? 5_000,
  });
  const client = auth.client();
  const resolved = typeof fault === 'function' ? await fault(emu) : fault;
  emu.fault('refresh', { ...resolved, times: Infinity });

  // 1. Inside the window the proactive refresh fails, but requests succeed on the current token.
  emu.clock.advance(DAY - 5 * MINUTE);
  for (let i = 0; i < 3; i++)
    await expect(client.get('/forms/1')).resolves.toMatchObject({ id: 1 });
  expect(
    emu.stats.requests
      .filter((r) => r.server === 'api')
      .every((r) => r.authorization === `Bearer ${tokens.id}`),
  ).toBe(true);

  // 2. After expiry: a typed error, quickly, after a bounded number of refresh attempts.
  await settle(auth);
  emu.clock.advance(10 * MINUTE);
  const before = emu.stats.refreshCalls;
  const started = Date.now();
  const error = await client.get('/forms/1').catch((e: unknown) => e);
  const observed = {
    code: (error as { code?: string }).code ?? String(error),
    attempts: emu.stats.refreshCalls - before,
    elapsedMs: Date.now() - started,
  };
  expect(observed.attempts).toBeGreaterThanOrEqual(1);
  expect(observed.attempts).toBeLessThanOrEqual(RETRIES + 1);

  // 3. The endpoint heals: once any pause it asked for (Retry-After, at most 5 minutes) is over,
  // the next call recovers without intervention.
  emu.clearFaults();
  emu.clock.advance(5 * MINUTE);
  await expect(client.get('/forms/1')).resolves.toMatchObject({ id: 1 });
  expect(auth.status).toBe('ready');
  return observed;
}

/** Let a background refresh that is still retrying finish, so phase 2 starts clean. */
async function settle(auth: GeckoAuth): Promise<void> {
  await auth.refresh().catch(() => undefined);
}

describe('fault matrix: refresh endpoint', () => {
  it('500', async () => {
    expect(await refreshFaultScenario({ status: 500 })).toMatchObject({
      code: 'GECKO_REFRESH_FAILED',
      attempts: 3,
    });
  });

  it('502', async () => {
    expect(await refreshFaultScenario({ status: 502 })).toMatchObject({
      code: 'GECKO_REFRESH_FAILED',
      attempts: 3,
    });
  });

  it('503 with an HTML body', async () => {
    const fault = {
      status: 503,
      body: '<html><h1>Service Unavailable</h1></html>',
      contentType: 'text/html',
    };
    expect(await refreshFaultScenario(fault)).toMatchObject({
      code: 'GECKO_REFRESH_FAILED',
      attempts: 3,
    });
  });

  it('429 with Retry-After', async () => {
    const observed = await refreshFaultScenario({ status: 429, headers: { 'retry-after': '1' } });
    expect(observed).toMatchObject({ code: 'GECKO_REFRESH_FAILED', attempts: 3 });
    // Two waits of at least the asked-for second each.
    expect(observed.elapsedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('429 with a Retry-After longer than a refresh may wait fails at once', async () => {
    const observed = await refreshFaultScenario({
      status: 429,
      headers: { 'retry-after': '3600' },
    });
    expect(observed).toMatchObject({ code: 'GECKO_REFRESH_FAILED', attempts: 1 });
  });

  it('connection reset', async () => {
    expect(await refreshFaultScenario({ reset: true })).toMatchObject({
      code: 'GECKO_NETWORK_ERROR',
      attempts: 3,
    });
  });

  it('a hang', async () => {
    const observed = await refreshFaultScenario({ hang: true }, { refreshTimeout: 500 });
    expect(observed).toMatchObject({ code: 'GECKO_REFRESH_TIMEOUT', attempts: 1 });
  });

  it('5 s latency is waited for, not failed, within the refresh timeout', async () => {
    const { emu, auth } = await setup();
    emu.fault('refresh', { delayMs: 5_000 });
    emu.clock.advance(DAY + HOUR);
    const started = Date.now();
    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('malformed JSON', async () => {
    expect(await refreshFaultScenario({ body: '{"IdToken": "eyJ' })).toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
      attempts: 3,
    });
  });

  it('JSON with no tokens', async () => {
    expect(await refreshFaultScenario({ body: '{"Message":"ok"}' })).toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
      attempts: 3,
    });
  });

  it('tokens of the wrong kind', async () => {
    const fault = async (emu: Emulator): Promise<Fault> => {
      const other = await emu.issueTokens();
      return { tokens: { id: other.refresh, access: other.access, refresh: other.id } };
    };
    expect(await refreshFaultScenario(fault)).toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
      attempts: 3,
    });
  });

  it('a 200 whose new ID token is already expired', async () => {
    const fault = async (emu: Emulator): Promise<Fault> => ({
      tokens: await emu.issueTokens({ idTokenTtl: 1 }),
    });
    expect(await refreshFaultScenario(fault)).toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
      attempts: 3,
    });
  });

  it('401: the refresh token is refused, which is terminal', async () => {
    const { emu, auth } = await setup();
    emu.fault('refresh', { status: 401, times: Infinity });
    emu.clock.advance(DAY + HOUR);
    await expect(auth.client().get('/forms/1')).rejects.toMatchObject({
      code: 'GECKO_REAUTH_REQUIRED',
    });
    await expect(auth.client().get('/forms/1')).rejects.toMatchObject({
      code: 'GECKO_REAUTH_REQUIRED',
    });
    expect(emu.stats.refreshCalls).toBe(1);
  });
});

describe('fault matrix: API endpoint', () => {
  it('401 once: one refresh, one retry, success', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 401 });
    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect({ api: emu.stats.apiCalls, refresh: emu.stats.refreshCalls }).toEqual({
      api: 2,
      refresh: 1,
    });
  });

  it('401 always: one retry per request, no refresh storm', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 401, times: Infinity });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => auth.client().get('/forms/1')),
    );
    expect(
      results.every((r) => r.status === 'rejected' && (r.reason as GeckoApiError).status === 401),
    ).toBe(true);
    expect(emu.stats.apiCalls).toBe(40);
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('403: no refresh and no retry', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 403 });
    await expect(auth.client().get('/forms/1')).rejects.toMatchObject({
      code: 'GECKO_API_ERROR',
      status: 403,
    });
    expect({ api: emu.stats.apiCalls, refresh: emu.stats.refreshCalls }).toEqual({
      api: 1,
      refresh: 0,
    });
  });

  it('429 with Retry-After: waited for, then success', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(emu.stats.apiCalls).toBe(2);
  });

  it('5xx: retried on GET up to the limit, typed error, then recovery', async () => {
    const { emu, auth } = await setup({ requestRetries: 2 });
    emu.fault('api', { status: 500, times: Infinity });
    await expect(auth.client().get('/forms/1')).rejects.toMatchObject({ status: 500 });
    expect(emu.stats.apiCalls).toBe(3);
    emu.clearFaults();
    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
  });

  it('a redirect to another origin: followed without the token', async () => {
    const { emu, tokens, auth } = await setup();
    const foreign = await foreignServer();
    emu.fault('api', { redirectTo: `${foreign.url}/elsewhere` });
    await expect(auth.client().get('/forms/1')).resolves.toEqual({ ok: true });
    expect(foreign.received[0]?.authorization).toBeUndefined();
    expect(JSON.stringify(foreign.received)).not.toContain(tokens.id);
  });
});

describe('fault matrix: clock skew', () => {
  it.each([
    ['10 minutes ahead of GeckoForm', 10 * MINUTE],
    ['10 minutes behind GeckoForm', -10 * MINUTE],
  ])('the app clock runs %s', async (_label, skew) => {
    const { emu, auth } = await setup({ clock: { now: () => emu.clock.now() + skew } });
    const client = auth.client();
    for (let day = 0; day < 3; day++) {
      // Two minutes past the real expiry: the app may think the token is still fine.
      emu.clock.advance(DAY + 2 * MINUTE);
      const results = await Promise.all(Array.from({ length: 20 }, () => client.get('/forms/1')));
      expect(results.every((form) => (form as { id: number }).id === 1)).toBe(true);
    }
    expect(emu.stats.successfulRefreshes).toBe(3);
  });
});

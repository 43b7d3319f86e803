import { describe, expect, it } from 'vitest';

import { GeckoAuthError, ReauthRequiredError, RefreshTimeoutError } from '../src/index.js';
import { DAY, HOUR, authFor, emulator, nextEvent, setup } from './helpers.js';

describe('single-flight refresh', () => {
  it('makes exactly one refresh call for 1,000 concurrent callers with an expired ID token', async () => {
    const { emu, tokens, auth } = await setup();
    await auth.getIdToken();
    emu.clock.advance(DAY + HOUR);

    const results = await Promise.all(Array.from({ length: 1000 }, () => auth.getIdToken()));

    expect(emu.stats.refreshCalls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(tokens.id);
    const forms = await auth.client().get<{ data: unknown[] }>('/forms');
    expect(forms.data.length).toBeGreaterThan(0);
  });

  it('refreshes proactively inside the window, serving the current token meanwhile', async () => {
    const { emu, tokens, auth } = await setup({ refreshWindow: 10 * 60_000 });
    expect(await auth.getIdToken()).toBe(tokens.id);
    expect(emu.stats.refreshCalls).toBe(0);

    emu.clock.advance(DAY - 5 * 60_000);
    const refreshed = nextEvent(auth, 'refresh');
    expect(await auth.getIdToken()).toBe(tokens.id);
    expect(await refreshed).toMatchObject({ reason: 'proactive', source: 'endpoint' });

    expect(emu.stats.refreshCalls).toBe(1);
    expect(await auth.getIdToken()).not.toBe(tokens.id);
    expect(auth.tokens?.idExpiresAt).toBeGreaterThan(emu.clock.now() + DAY - HOUR);
  });

  it('does not refresh while the token is outside the window', async () => {
    const { emu, auth } = await setup();
    await auth.getIdToken();
    emu.clock.advance(DAY - HOUR);
    await Promise.all(Array.from({ length: 50 }, () => auth.getIdToken()));
    expect(emu.stats.refreshCalls).toBe(0);
    expect(auth.peekIdToken()).toBe(await auth.getIdToken());
    emu.clock.advance(HOUR);
    expect(auth.peekIdToken()).toBeUndefined();
  });

  it('never fails a request while the ID token is valid, even when proactive refresh fails', async () => {
    const { emu, tokens, auth } = await setup({ refreshRetries: 0 });
    emu.fault('refresh', { status: 503, times: Infinity });
    emu.clock.advance(DAY - 5 * 60_000);
    const failed = nextEvent(auth, 'error');

    expect(await auth.getIdToken()).toBe(tokens.id);
    await failed;
    const forms = await auth.client().get<{ data: unknown[] }>('/forms');
    expect(forms.data.length).toBeGreaterThan(0);
    expect(await auth.getIdToken()).toBe(tokens.id);
    expect(emu.stats.refreshCalls).toBe(1);
  });
});

describe('terminal refresh failures', () => {
  it('enters re-auth-required on a revoked refresh token: every waiter rejects, no more calls', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + HOUR);
    const reauth = nextEvent(auth, 'reauth-required');

    const results = await Promise.allSettled(Array.from({ length: 100 }, () => auth.getIdToken()));

    expect(
      results.every((r) => r.status === 'rejected' && r.reason instanceof ReauthRequiredError),
    ).toBe(true);
    const error = (results[0] as PromiseRejectedResult).reason as ReauthRequiredError;
    expect(error.code).toBe('GECKO_REAUTH_REQUIRED');
    expect(error.refreshStatus).toBe(401);
    expect(error.message).toMatch(/Create a new API token/);
    expect(await reauth).toMatchObject({ error });
    expect(auth.status).toBe('reauth-required');

    await expect(auth.getIdToken()).rejects.toBe(error);
    await expect(auth.client().get('/forms')).rejects.toBe(error);
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('enters re-auth-required when the refresh token itself has expired', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(31 * DAY);
    await expect(auth.getIdToken()).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('keeps serving a still-valid ID token after the refresh token was refused', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    await expect(auth.refresh()).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(await auth.getIdToken()).toBe(tokens.id);
    emu.clock.advance(DAY);
    await expect(auth.getIdToken()).rejects.toBeInstanceOf(ReauthRequiredError);
  });

  it('recovers from re-auth-required when given a new API token', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + HOUR);
    await expect(auth.getIdToken()).rejects.toBeInstanceOf(ReauthRequiredError);

    const replacement = await emu.issueTokens();
    await auth.setTokens(replacement);
    expect(auth.status).toBe('ready');
    expect(await auth.getIdToken()).toBe(replacement.id);
  });
});

describe('transient refresh failures', () => {
  it('rejects waiters after the refresh timeout when the endpoint hangs, then tries again', async () => {
    const { emu, auth } = await setup({ refreshTimeout: 300 });
    emu.fault('refresh', { hang: true });
    emu.clock.advance(DAY + HOUR);

    const waiters = await Promise.allSettled(Array.from({ length: 20 }, () => auth.getIdToken()));
    for (const waiter of waiters) {
      expect(waiter.status).toBe('rejected');
      expect((waiter as PromiseRejectedResult).reason).toBeInstanceOf(RefreshTimeoutError);
    }
    expect(emu.stats.refreshCalls).toBe(1);

    await expect(auth.getIdToken()).resolves.toMatch(/^ey/);
    expect(emu.stats.refreshCalls).toBe(2);
  });

  it('retries a 500 and recovers on the following 200', async () => {
    const { emu, auth } = await setup();
    emu.fault('refresh', { status: 500 });
    emu.clock.advance(DAY + HOUR);
    const retried = nextEvent(auth, 'error');

    await expect(auth.getIdToken()).resolves.toMatch(/^ey/);
    expect(emu.stats.refreshCalls).toBe(2);
    expect(emu.stats.successfulRefreshes).toBe(1);
    const event = (await retried) as { error: GeckoAuthError; retryInMs: number };
    expect(event.error.code).toBe('GECKO_REFRESH_FAILED');
    expect(event.retryInMs).toBeGreaterThan(0);
  });

  it('honours Retry-After on a 429 from the refresh endpoint', async () => {
    const { emu, auth } = await setup();
    emu.fault('refresh', { status: 429, headers: { 'retry-after': '1' } });
    emu.clock.advance(DAY + HOUR);
    const retried = nextEvent(auth, 'error');

    await expect(auth.getIdToken()).resolves.toMatch(/^ey/);
    expect(((await retried) as { retryInMs: number }).retryInMs).toBeGreaterThanOrEqual(1000);
    expect(emu.stats.refreshCalls).toBe(2);
  });

  it('gives up after the configured retries with a typed error, and recovers later', async () => {
    const { emu, auth } = await setup({ refreshRetries: 2 });
    emu.fault('refresh', { status: 502, times: 3 });
    emu.clock.advance(DAY + HOUR);

    const error = await auth.getIdToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GECKO_REFRESH_FAILED', refreshStatus: 502 });
    expect(emu.stats.refreshCalls).toBe(3);
    await expect(auth.getIdToken()).resolves.toMatch(/^ey/);
  });

  it('treats an unusable 200 body as a typed, retried failure', async () => {
    const { emu, auth } = await setup({ refreshRetries: 1 });
    emu.fault('refresh', { body: 'not json{', times: 2 });
    emu.clock.advance(DAY + HOUR);
    await expect(auth.getIdToken()).rejects.toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
    });
    expect(emu.stats.refreshCalls).toBe(2);
  });
});

describe('refresh responses', () => {
  it.each(['pascal', 'camel', 'snake', 'wrapped-data', 'wrapped-auth-result'] as const)(
    'reads the %s response shape',
    async (shape) => {
      const { emu, tokens, auth } = await setup({}, { refreshResponseShape: shape });
      const set = await auth.refresh();
      expect(set.id).not.toBe(tokens.id);
      expect(set.refresh).not.toBe(tokens.refresh);
      await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
      expect(emu.stats.successfulRefreshes).toBe(1);
    },
  );

  it('keeps the previous refresh token when a response omits it', async () => {
    const emu = await emulator();
    const tokens = await emu.issueTokens();
    const next = await emu.issueTokens();
    const auth = authFor(emu, tokens);
    emu.fault('refresh', { tokens: { id: next.id, access: next.access } });
    const set = await auth.refresh();
    expect(set.id).toBe(next.id);
    expect(set.refresh).toBe(tokens.refresh);
  });

  it('uses a custom parser', async () => {
    const { auth } = await setup({
      parseRefreshResponse: (body, previous) => {
        const b = body as { IdToken: string };
        return { ...previous, id: b.IdToken };
      },
    });
    const before = await auth.getIdToken();
    const set = await auth.refresh();
    expect(set.id).toMatch(/^ey/);
    expect(set.id).not.toBe(before);
  });
});

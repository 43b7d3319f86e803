import { describe, expect, it } from 'vitest';

import { MemoryStore, ReauthRequiredError } from '../src/index.js';
import { DAY, authFor, emulator, nextEvent } from './helpers.js';

const MINUTE = 60_000;

describe('keep-alive', () => {
  it('keeps the token set alive for 31 emulated days without traffic, and a restart resumes it', async () => {
    const emu = await emulator();
    const original = await emu.issueTokens();
    const store = new MemoryStore();
    const auth = authFor(emu, original, { store, keepAlive: { checkInterval: 5 } });
    const reasons: string[] = [];
    auth.on('refresh', (event) => reasons.push(event.reason));
    await auth.getIdToken();

    for (let day = 1; day <= 31; day++) {
      const refreshed = nextEvent(auth, 'refresh');
      // Into the refresh window, past any jitter: only keep-alive can refresh, nobody calls.
      emu.clock.advance(DAY - 5 * MINUTE);
      await refreshed;
    }
    expect(reasons).toEqual(Array.from({ length: 31 }, () => 'keep-alive'));
    expect(emu.stats.successfulRefreshes).toBe(31);
    expect(emu.stats.apiCalls).toBe(0);
    auth.close();

    // A restarted process is given its original tokens again; the store holds the newest.
    const restarted = authFor(emu, original, { store });
    await expect(restarted.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(await restarted.getIdToken()).not.toBe(original.id);
    expect(emu.stats.successfulRefreshes).toBe(31);
  });

  it('without keep-alive and a store, a restart after 31 days needs a new API token', async () => {
    const emu = await emulator();
    const original = await emu.issueTokens();
    emu.clock.advance(31 * DAY);
    const restarted = authFor(emu, original);
    const error = await restarted.getIdToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthRequiredError);
    expect((error as Error).message).toMatch(/Create a new API token in GeckoForm/);
  });

  it('stops on close()', async () => {
    const emu = await emulator();
    const auth = authFor(emu, await emu.issueTokens(), { keepAlive: { checkInterval: 5 } });
    await auth.getIdToken();
    auth.close();
    emu.clock.advance(DAY - 5 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emu.stats.refreshCalls).toBe(0);
  });

  it('does not keep the process alive', async () => {
    const emu = await emulator();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const auth = authFor(emu, await emu.issueTokens(), { keepAlive: { checkInterval: 60_000 } });
    await auth.getIdToken();
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(before);
  });

  it('warns when the refresh token nears expiry and refreshing keeps failing', async () => {
    const emu = await emulator();
    const tokens = await emu.issueTokens({ refreshTokenTtl: 2 * 24 * 3600 });
    const auth = authFor(emu, tokens, { keepAlive: { checkInterval: 5 }, refreshRetries: 0 });
    await auth.getIdToken();
    emu.fault('refresh', { status: 503, times: Infinity });
    const warning = nextEvent(auth, 'warning');
    emu.clock.advance(DAY - 5 * MINUTE);
    expect(await warning).toMatchObject({
      code: 'refresh-token-expiring',
      message: expect.stringMatching(/refreshing keeps failing \(GECKO_REFRESH_FAILED\)/),
    });
    // The still-valid ID token keeps working meanwhile.
    expect(await auth.getIdToken()).toBe(tokens.id);
  });
});

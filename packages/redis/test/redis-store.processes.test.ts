import { createHash } from 'node:crypto';

import { TokenSet } from '@gecko-auth/core';
import { startEmulator, type Emulator } from '@gecko-auth/emulator';
import { resultOf, spawnChild } from '@gecko-auth/test-support';
import { afterEach, describe, expect, it } from 'vitest';

import { RedisStore } from '../src/index.js';
import { client, inspector, redisUnderTest, uniqueKey } from './redis-server.js';

/** Run `test/fixtures/<name>.ts` in its own process, resolving @gecko-auth/* to source. */
const spawnFixture = (name: string, input: unknown) =>
  spawnChild(
    new URL(`./fixtures/${name}.ts`, import.meta.url),
    input,
    new URL('./fixtures/tsconfig.json', import.meta.url),
  );

const url = (await redisUnderTest()) ?? '';
const DAY = 24 * 60 * 60 * 1000;

interface RefreshResult {
  fingerprint: string;
  idsAreFinal: boolean;
  fullPages: number;
}

const emulators: Emulator[] = [];
afterEach(async () => {
  for (const emu of emulators.splice(0)) await emu.close();
});

/** An emulator whose token set, stored under a fresh key, has an expired ID token. */
async function expiredSetup(lockTtlMs: number) {
  const emu = await startEmulator();
  emulators.push(emu);
  const original = await emu.issueTokens();
  const key = uniqueKey();
  const store = new RedisStore({ redis: client(url), key });
  await store.save(original);
  emu.clock.advance(DAY + 60_000);

  const input = {
    redisUrl: url,
    key,
    lockTtlMs,
    apiUrl: emu.apiUrl,
    refreshUrl: emu.refreshUrl,
    clockOffset: emu.clock.now() - Date.now(),
    requests: 40,
  };
  return { emu, original, store, input };
}

const fingerprint = (tokens: unknown) =>
  createHash('sha256').update(JSON.stringify(tokens)).digest('hex');

describe.skipIf(url === '')('RedisStore shared by several processes', () => {
  it('refreshes an expired token exactly once for all of them; all end with the same tokens', async () => {
    const { emu, original, store, input } = await expiredSetup(45_000);

    const children = Array.from({ length: 6 }, () => spawnFixture('refresh-child', input));
    const results = await Promise.all(children.map((child) => resultOf<RefreshResult>(child)));

    expect(emu.stats.refreshCalls).toBe(1);
    const stored = await store.load();
    expect(stored?.id).not.toBe(original.id);
    for (const result of results) {
      expect(result).toEqual({
        fingerprint: fingerprint(stored),
        idsAreFinal: true,
        fullPages: input.requests,
      });
    }
    expect(emu.stats.apiCallsByToken.get(stored?.id ?? '')).toBe(6 * input.requests);
  }, 60_000);

  it('recovers when the process refreshing under the lock is killed: another refreshes once it expires', async () => {
    const { emu, original, store, input } = await expiredSetup(3_000);
    emu.fault('refresh', { hang: true });

    const stuck = spawnFixture('refresh-child', input);
    while (emu.stats.refreshCalls === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const next = spawnFixture('refresh-child', input);
    stuck.process.kill('SIGKILL');
    expect(await stuck.exited).toMatchObject({ signal: 'SIGKILL' });
    // It died holding the lock: only the lock's expiry can free it.
    expect(await inspector(url).pttl(store.lockKey)).toBeGreaterThan(0);

    const result = await resultOf<RefreshResult>(next);

    expect(emu.stats.refreshCalls).toBe(2);
    expect(emu.stats.successfulRefreshes).toBe(1);
    const stored = await store.load();
    expect(TokenSet.from(stored).isOlderThan(TokenSet.from(original))).toBe(false);
    expect(stored?.id).not.toBe(original.id);
    expect(result).toEqual({
      fingerprint: fingerprint(stored),
      idsAreFinal: true,
      fullPages: input.requests,
    });
  }, 60_000);
});

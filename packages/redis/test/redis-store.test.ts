import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';

import { GeckoAuth, StoreError, TokenSet, type GeckoTokens } from '@gecko-auth/core';
import { startEmulator, type Emulator } from '@gecko-auth/emulator';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisStore } from '../src/index.js';
import { client, inspector, redisUnderTest, uniqueKey } from './redis-server.js';

const url = (await redisUnderTest()) ?? '';

describe.skipIf(url === '')('RedisStore', () => {
  let emu: Emulator;
  let older: GeckoTokens;
  let newer: GeckoTokens;
  beforeAll(async () => {
    emu = await startEmulator();
    older = await emu.issueTokens();
    emu.clock.advance(60_000);
    newer = await emu.issueTokens();
  });
  afterAll(() => emu.close());

  const storeFor = (key: string) => new RedisStore({ redis: client(url), key });

  it('saves and loads a token set, with its times beside it for comparison in Redis', async () => {
    const key = uniqueKey();
    await storeFor(key).save(newer);

    expect(await storeFor(key).load()).toEqual(newer);
    const set = TokenSet.from(newer);
    expect(await inspector(url).hgetall(key)).toMatchObject({
      tokens: JSON.stringify(newer),
      idIssuedAt: String(set.idIssuedAt),
      idExpiresAt: String(set.idExpiresAt),
    });
  });

  it('loads nothing from a key that does not exist yet', async () => {
    expect(await storeFor(uniqueKey()).load()).toBeUndefined();
  });

  it('never replaces newer tokens with older ones, however saves interleave', async () => {
    const key = uniqueKey();
    const stores = [storeFor(key), storeFor(key), storeFor(key)];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 3]?.save(i % 2 === 0 ? newer : older)),
    );
    expect(await storeFor(key).load()).toEqual(newer);

    const savedAt = await inspector(url).hget(key, 'savedAt');
    await storeFor(key).save(older);
    await storeFor(key).save(newer);
    expect(await inspector(url).hget(key, 'savedAt')).toBe(savedAt);
  });

  it('replaces a newer set with an older one only when asked to (a new API token)', async () => {
    const key = uniqueKey();
    await storeFor(key).save(newer);
    await storeFor(key).save(older);
    expect(await storeFor(key).load()).toEqual(newer);

    await storeFor(key).save(older, { replace: true });
    expect(await storeFor(key).load()).toEqual(older);
  });

  it('fails the lock quickly when Redis does not answer, so core can refresh without it', async () => {
    // A "Redis" that accepts connections and never answers: ioredis would wait for ever.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const stalled = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
    const store = new RedisStore({ redis: stalled, key: uniqueKey() });
    const error: unknown = await store
      .lock(async () => 'ran', AbortSignal.timeout(10_000))
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/SET .*failed/);
    stalled.disconnect();
    silent.close();
  });

  it('a silent Redis does not fail requests: GeckoAuth refreshes and serves without it', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const stalled = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
    const store = new RedisStore({ redis: stalled, key: uniqueKey() });
    const auth = new GeckoAuth({
      tokens: older,
      store,
      apiUrl: emu.apiUrl,
      refreshUrl: emu.refreshUrl,
      clock: emu.clock,
    });
    const reasons: string[] = [];
    auth.on('error', (event) => reasons.push(event.reason));
    emu.clock.advance(25 * 60 * 60 * 1000);

    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(reasons).toEqual(expect.arrayContaining(['load', 'lock', 'save']));
    auth.close();
    stalled.disconnect();
    silent.close();
  });

  it('refuses a key holding something else, naming it, and leaves it untouched', async () => {
    const key = uniqueKey();
    const redis = inspector(url);
    await redis.set(key, 'not a hash');

    for (const failure of [storeFor(key).load(), storeFor(key).save(newer)]) {
      const error: unknown = await failure.catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toContain(key);
      expect(inspect(error, { depth: 10 })).not.toContain(newer.id.split('.')[2]);
    }
    expect(await redis.get(key)).toBe('not a hash');

    await redis.del(key);
    await redis.hset(key, 'owner', 'another app');
    await expect(storeFor(key).save(newer)).rejects.toThrow(/left unchanged/);
    await expect(storeFor(key).load()).rejects.toThrow(StoreError);
    expect(await redis.hgetall(key)).toEqual({ owner: 'another app' });
  });

  it('reports malformed stored tokens as a StoreError naming the key', async () => {
    const key = uniqueKey();
    await inspector(url).hset(
      key,
      'tokens',
      JSON.stringify({ ...newer, id: 'x' }),
      'idExpiresAt',
      1,
    );
    await expect(storeFor(key).load()).rejects.toThrow(`Redis key ${key} holds malformed tokens.`);
  });

  it('validates its options', () => {
    const redis = client(url);
    expect(() => new RedisStore({} as never)).toThrow(/`redis`/);
    expect(() => new RedisStore({ redis, key: '' })).toThrow(/`key`/);
    expect(() => new RedisStore({ redis, lockTtlMs: 1.5 })).toThrow(/`lockTtlMs`/);
    expect(() => new RedisStore({ redis, pollMs: 0 })).toThrow(/`pollMs`/);
    expect(() => new RedisStore({ redis, key: 'a}b' })).toThrow(/hash tag/);
  });
});

describe.skipIf(url === '')('the README example', () => {
  it('keeps a GeckoAuth’s refreshed tokens in Redis', async () => {
    const emu = await startEmulator();
    const tokens = await emu.issueTokens();
    const redis = client(url);
    const key = uniqueKey();

    const store = new RedisStore({ redis, key });
    // As in the README, with the emulator standing in for GeckoForm's region.
    const auth = new GeckoAuth({
      apiUrl: emu.apiUrl,
      refreshUrl: emu.refreshUrl,
      clock: emu.clock,
      tokens,
      store,
    });
    const forms = await auth.client().get<{ data: unknown[] }>('/forms');
    expect(forms.data.length).toBeGreaterThan(0);
    expect(await store.load()).toEqual(tokens);

    emu.clock.advance(24 * 60 * 60 * 1000);
    const refreshed = await auth.getIdToken();
    expect(refreshed).not.toBe(tokens.id);
    expect((await store.load())?.id).toBe(refreshed);
    auth.close();
    await emu.close();
  });
});

import { StoreError } from '@gecko-auth/core';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { RedisStore } from '../src/index.js';
import { client, inspector, redisUnderTest, uniqueKey } from './redis-server.js';

const url = (await redisUnderTest()) ?? '';
const noAbort = new AbortController().signal;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lock holder that stays inside until `release()` is called. */
function parkedHolder() {
  let release: () => void = () => undefined;
  const parked = new Promise<void>((resolve) => (release = resolve));
  return { work: () => parked, release: () => release() };
}

describe('RedisStore lock keys', () => {
  it.each([
    ['the default key', undefined, '{gecko-auth:tokens}:lock'],
    ['a key without a hash tag', 'acme:gecko', '{acme:gecko}:lock'],
    ['a key with a hash tag', '{acme}:gecko', '{acme}:gecko:lock'],
  ])('puts the lock of %s in the same Cluster slot as the tokens', (_, key, lockKey) => {
    // Key naming needs no server: this runs even where Redis is not available.
    const redis = new Redis({ lazyConnect: true });
    const store = new RedisStore({ redis, key });
    expect(store.lockKey).toBe(lockKey);
    expect(calculateSlot(store.lockKey)).toBe(calculateSlot(store.key));
    redis.disconnect();
  });
});

describe.skipIf(url === '')('RedisStore.lock', () => {
  const storeFor = (key: string, options: { lockTtlMs?: number; lockWaitMs?: number } = {}) =>
    new RedisStore({ redis: client(url), key, pollMs: 10, ...options });

  it('lets one holder in at a time, across clients', async () => {
    const key = uniqueKey();
    const { lockKey } = storeFor(key);
    const events: string[] = [];
    const holder = (name: string) => async () => {
      events.push(`${name} in`);
      await sleep(20);
      events.push(`${name} out`);
      return name;
    };

    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => storeFor(key).lock(holder(name), noAbort)),
    );

    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toHaveLength(6);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i + 1]).toBe(events[i]?.replace(' in', ' out'));
    }
    expect(await inspector(url).exists(lockKey)).toBe(0);
  });

  it('lets a waiter in once a dead holder’s lock expires, and the late holder cannot free it', async () => {
    const key = uniqueKey();
    const { lockKey } = storeFor(key);
    const late = parkedHolder();
    const lateDone = storeFor(key, { lockTtlMs: 100 }).lock(late.work, noAbort);
    await sleep(20);

    const next = parkedHolder();
    let entered = false;
    const nextDone = storeFor(key, { lockTtlMs: 60_000 }).lock(() => {
      entered = true;
      return next.work();
    }, noAbort);
    while (!entered) await sleep(10);

    // The first holder finishes after its lock expired: its release must not free the new lock.
    late.release();
    await lateDone;
    expect(await inspector(url).pttl(lockKey)).toBeGreaterThan(50_000);
    next.release();
    await nextDone;
    expect(await inspector(url).exists(lockKey)).toBe(0);
  });

  it('stops waiting with the signal’s reason when it aborts', async () => {
    const key = uniqueKey();
    const holder = parkedHolder();
    const held = storeFor(key).lock(holder.work, noAbort);
    await sleep(20);

    const controller = new AbortController();
    const reason = new Error('refresh timed out');
    let ran = false;
    const waiting = storeFor(key).lock(async () => (ran = true), controller.signal);
    await sleep(30);
    controller.abort(reason);

    await expect(waiting).rejects.toBe(reason);
    expect(ran).toBe(false);
    holder.release();
    await held;
  });

  it('gives up after lockWaitMs with a StoreError naming the lock key', async () => {
    const key = uniqueKey();
    const holder = parkedHolder();
    const held = storeFor(key).lock(holder.work, noAbort);
    await sleep(20);

    const waiting = storeFor(key, { lockWaitMs: 100 }).lock(async () => 'ran', noAbort);

    await expect(waiting).rejects.toBeInstanceOf(StoreError);
    await expect(waiting).rejects.toThrow(storeFor(key).lockKey);
    holder.release();
    await held;
  });
});

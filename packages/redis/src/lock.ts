import { setTimeout as wait } from 'node:timers/promises';

import { StoreError } from '@gecko-auth/core';

import { RELEASE_SCRIPT } from './scripts.js';
import type { RedisClient } from './redis-store.js';

/**
 * A healthy Redis answers a SET in milliseconds. One that takes this long is down or failing over
 * (and ioredis may be queueing commands until it returns): the command fails, and core goes on
 * without the store — refreshing without the lock, keeping tokens in memory — rather than leave
 * the whole fleet waiting.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** How the refresh lock is taken. */
export interface LockSettings {
  ttlMs: number;
  waitMs: number;
  pollMs: number;
}

/**
 * Take the lock `SET lockKey owner NX PX ttl`, polling while another process holds it until it is
 * released or expires. Rejects with the signal's reason if it aborts first, and with a
 * {@link StoreError} after `waitMs`.
 */
export async function acquireLock(
  redis: RedisClient,
  lockKey: string,
  owner: string,
  { ttlMs, waitMs, pollMs }: LockSettings,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    signal.throwIfAborted();
    const taken = await redisCall(
      `SET ${lockKey}`,
      () => redis.set(lockKey, owner, 'PX', ttlMs, 'NX'),
      REDIS_COMMAND_TIMEOUT_MS,
    );
    if (taken === 'OK') {
      if (!signal.aborted) return;

      // The caller gave up while the SET was in flight: nobody will run the work, so let go.
      await releaseLock(redis, lockKey, owner);
      signal.throwIfAborted();
    }

    const left = deadline - Date.now();
    if (left <= 0) {
      throw new StoreError(
        `Waited ${waitMs} ms for the refresh lock ${lockKey}; another process still holds it.`,
      );
    }
    // Jitter keeps waiting processes from polling in lockstep.
    // Waiters give up with the signal's own reason (the refresh timeout), not a generic AbortError.
    await wait(Math.min(left, pollMs * (0.5 + Math.random())), undefined, { signal }).catch(() => {
      throw signal.reason;
    });
  }
}

/** Delete the lock only if `owner` still holds it: after it expired, it may be someone else's. */
export async function releaseLock(
  redis: RedisClient,
  lockKey: string,
  owner: string,
): Promise<void> {
  try {
    await redis.eval(RELEASE_SCRIPT, 1, lockKey, owner);
  } catch {
    // Unreachable Redis: the lock expires on its own after its TTL, which is all release would do.
  }
}

/**
 * Run one Redis command, turning a failure into a {@link StoreError}. ioredis attaches the
 * command's arguments to its errors, and a save's arguments are the tokens: the cause keeps only
 * the error's class name and message.
 */
export async function redisCall<T>(
  what: string,
  command: () => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (timeoutMs === undefined) return await command();

    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([command(), timedOut]);
  } catch (error) {
    const cause = new Error(error instanceof Error ? error.message : String(error));
    cause.name = error instanceof Error ? error.name : 'Error';
    throw new StoreError(`Redis ${what} failed.`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

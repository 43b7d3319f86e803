import { randomUUID } from 'node:crypto';

import { TokenSet, type GeckoTokens, type SaveOptions, type TokenStore } from '@gecko-auth/core';
import type { Cluster, Redis } from 'ioredis';

import { DEFAULT_KEY, lockKeyFor } from './keys.js';
import {
  REDIS_COMMAND_TIMEOUT_MS,
  acquireLock,
  redisCall,
  releaseLock,
  type LockSettings,
} from './lock.js';
import { FOREIGN_VALUE, SAVE_SCRIPT } from './scripts.js';
import { foreignValue, parseTokens } from './stored-tokens.js';

/**
 * An ioredis client: a single server (also through Sentinel) or a Cluster.
 *
 * @example
 * ```ts
 * const redis: RedisClient = new Cluster([{ host: 'redis-1', port: 6379 }]);
 * ```
 */
export type RedisClient = Redis | Cluster;

/**
 * Default lock expiry: it must outlast core's refresh timeout (30 s by default), the longest a
 * refresh holds the lock, or a slow refresh could lose its lock to a second one.
 *
 * @example
 * ```ts
 * new GeckoAuth({ ...options, refreshTimeout: 60_000, store: new RedisStore({ redis, lockTtlMs: 75_000 }) });
 * ```
 */
export const DEFAULT_LOCK_TTL_MS = 45_000;

/**
 * Default pause between checks while waiting for the lock: a check is one cheap `SET NX`, and a
 * waiter notices a finished refresh within about this long.
 *
 * @example
 * ```ts
 * new RedisStore({ redis, pollMs: DEFAULT_POLL_MS * 5 }); // fewer checks, slower pick-up
 * ```
 */
export const DEFAULT_POLL_MS = 100;

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { redis: new Redis(process.env.REDIS_URL!), key: 'acme:gecko' };
 * ```
 */
export interface RedisStoreOptions {
  /** An ioredis client (`Redis`, also with Sentinel, or `Cluster`). The store never closes it. */
  redis: RedisClient;
  /** Key of the token hash, one per token set. Default `'gecko-auth:tokens'`. */
  key?: string;
  /**
   * Expiry of the refresh lock, so a process that dies holding it cannot block the others.
   * Must exceed the `refreshTimeout` of every GeckoAuth using the store. Default 45 s.
   */
  lockTtlMs?: number;
  /** How long a process waits for the lock before failing. Default: `lockTtlMs`. */
  lockWaitMs?: number;
  /** Pause between checks while waiting for the lock, randomized ±50%. Default 100 ms. */
  pollMs?: number;
}

/**
 * A token store in Redis, shared by every process and machine using the same key. One of them
 * refreshes under a lock with an expiry (`SET NX PX`) while the others wait and then load its
 * result; a saved set is never replaced by an older one (compare-and-set in Lua).
 *
 * @example
 * ```ts
 * import { GeckoAuth } from '@gecko-auth/core';
 * import { RedisStore } from '@gecko-auth/redis';
 * import { Redis } from 'ioredis';
 *
 * const store = new RedisStore({ redis: new Redis(process.env.REDIS_URL!) });
 * const auth = new GeckoAuth({ region: 'eu', tokens, store });
 * ```
 */
export class RedisStore implements TokenStore {
  /** Key of the hash holding the token set. */
  readonly key: string;
  /** Key of the refresh lock; in the same Cluster hash slot as {@link RedisStore.key}. */
  readonly lockKey: string;
  readonly #redis: RedisClient;
  readonly #lock: LockSettings;

  /** @throws {TypeError} for a missing client or an invalid option, naming it. */
  constructor(options: RedisStoreOptions) {
    const redis = (options as Partial<RedisStoreOptions> | undefined)?.redis;
    if (typeof redis?.set !== 'function' || typeof redis.eval !== 'function') {
      throw new TypeError('RedisStore needs `redis`: an ioredis client (Redis or Cluster).');
    }
    const key = options.key ?? DEFAULT_KEY;
    if (typeof key !== 'string' || key === '') {
      throw new TypeError('RedisStore option `key` must be a non-empty string.');
    }

    this.#redis = redis;
    this.key = key;
    this.lockKey = lockKeyFor(key);
    const ttlMs = milliseconds(options.lockTtlMs, DEFAULT_LOCK_TTL_MS, 'lockTtlMs');
    this.#lock = {
      ttlMs,
      waitMs: milliseconds(options.lockWaitMs, ttlMs, 'lockWaitMs'),
      pollMs: milliseconds(options.pollMs, DEFAULT_POLL_MS, 'pollMs'),
    };
  }

  /** The saved tokens, or `undefined` when the key does not exist yet. */
  async load(): Promise<GeckoTokens | undefined> {
    const hash = await redisCall(
      `HGETALL ${this.key}`,
      () => this.#redis.hgetall(this.key),
      REDIS_COMMAND_TIMEOUT_MS,
    );
    if (Object.keys(hash).length === 0) return undefined;

    return parseTokens(hash['tokens'], this.key).toTokens();
  }

  /**
   * Write `tokens` unless the key already holds the same or a newer set; with `replace` (a new
   * API token installed by `auth.setTokens`), write it whatever the stored set.
   */
  async save(tokens: GeckoTokens, options: SaveOptions = {}): Promise<void> {
    const next = TokenSet.from(tokens);
    const result = await redisCall(
      `save to ${this.key}`,
      () =>
        this.#redis.eval(
          SAVE_SCRIPT,
          1,
          this.key,
          JSON.stringify(next.toTokens()),
          next.idIssuedAt ?? '',
          next.idExpiresAt,
          new Date().toISOString(),
          options.replace === true ? '1' : '0',
        ),
      REDIS_COMMAND_TIMEOUT_MS,
    );
    if (result === FOREIGN_VALUE) throw foreignValue(this.key);
  }

  /** Run `work` (core's refresh) holding the lock shared by every process using this key. */
  async lock<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const owner = randomUUID();
    await acquireLock(this.#redis, this.lockKey, owner, this.#lock, signal);
    try {
      return await work();
    } finally {
      await releaseLock(this.#redis, this.lockKey, owner);
    }
  }
}

function milliseconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`RedisStore option \`${name}\` must be a positive whole number of ms.`);
  }
  return value;
}

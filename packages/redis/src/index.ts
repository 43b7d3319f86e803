/**
 * @packageDocumentation
 * A Redis token store for gecko-auth: many processes and machines share one token set, and one of
 * them refreshes it while the others pick up the result.
 */
export {
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_POLL_MS,
  RedisStore,
  type RedisClient,
  type RedisStoreOptions,
} from './redis-store.js';
export { DEFAULT_KEY } from './keys.js';

/**
 * Where the token set lives unless told otherwise. Its lock is `{gecko-auth:tokens}:lock`.
 *
 * @example
 * ```ts
 * await redis.hget(DEFAULT_KEY, 'savedAt'); // when the last refresh was saved
 * ```
 */
export const DEFAULT_KEY = 'gecko-auth:tokens';

/**
 * The Redis key of the refresh lock for the token set under `key`, in the same Redis Cluster hash
 * slot: Cluster hashes only a key's first non-empty `{...}`, or the whole key when it has none.
 *
 * @throws {TypeError} for a key with a `}` but no hash tag, whose lock key could not share its slot.
 */
export function lockKeyFor(key: string): string {
  if (hashTag(key) !== undefined) return `${key}:lock`;

  if (key.includes('}')) {
    throw new TypeError(
      `RedisStore option \`key\` ("${key}") has a "}" but no {hash tag}: add one, e.g. "{gecko}:tokens".`,
    );
  }
  // Tagging the lock key with the whole key makes Cluster hash both the same way.
  return `{${key}}:lock`;
}

function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

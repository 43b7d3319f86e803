/**
 * Lua run inside Redis, so that each check and its write happen as one step no other client can
 * interleave with, on a single server and on the key's node in a Cluster.
 */

/** {@link SAVE_SCRIPT}'s answer when the key holds a hash it did not write (1: saved, 0: kept a
 * newer set). */
export const FOREIGN_VALUE = -1;

/**
 * KEYS[1]: the token hash. ARGV: tokens JSON, ID token `iat` in ms ('' when it has none), its `exp`
 * in ms, savedAt ISO string, '1' to replace whatever is stored. Otherwise writes unless the stored
 * set is the same or newer, comparing as `TokenSet.isOlderThan` does: `iat` (or `exp` when
 * absent), then `exp`.
 */
export const SAVE_SCRIPT = `
local stored = redis.call('HMGET', KEYS[1], 'idIssuedAt', 'idExpiresAt')
local storedExp = tonumber(stored[2])
if storedExp and ARGV[5] ~= '1' then
  local storedOrder = tonumber(stored[1]) or storedExp
  local exp = tonumber(ARGV[3])
  local order = tonumber(ARGV[2]) or exp
  if storedOrder > order or (storedOrder == order and storedExp >= exp) then return 0 end
elseif not storedExp and redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
redis.call('HSET', KEYS[1], 'tokens', ARGV[1], 'idIssuedAt', ARGV[2], 'idExpiresAt', ARGV[3],
  'savedAt', ARGV[4])
return 1
`;

/** KEYS[1]: the lock key. ARGV[1]: the owner token. Deletes the lock only if it is still ours. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

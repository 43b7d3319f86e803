import { StoreError, TokenSet } from '@gecko-auth/core';

/**
 * Read the token set kept in the hash's `tokens` field.
 *
 * @throws {StoreError} naming `key` when the field is missing, not JSON, or not a token set.
 */
export function parseTokens(json: string | undefined, key: string): TokenSet {
  if (json === undefined) throw foreignValue(key);

  let tokens: unknown;
  try {
    tokens = JSON.parse(json);
  } catch {
    // JSON.parse quotes the text near the error, which could be token text: no cause.
    throw new StoreError(`Redis key ${key} holds tokens that are not valid JSON.`);
  }
  try {
    return TokenSet.from(tokens);
  } catch (error) {
    throw new StoreError(`Redis key ${key} holds malformed tokens.`, { cause: error });
  }
}

/** The key holds data this store did not write: refuse to read or overwrite it. */
export function foreignValue(key: string): StoreError {
  return new StoreError(
    `Redis key ${key} holds something other than a gecko-auth token set; it was left unchanged. ` +
      'Use another `key`, or delete this one.',
  );
}

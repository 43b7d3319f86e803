import { RefreshResponseError } from './errors.js';
import type { GeckoTokens } from './tokens.js';

/**
 * Turns the refresh endpoint's parsed JSON body into three tokens. GeckoForm does not publish
 * this shape; pass your own as the `parseRefreshResponse` option if it differs from what
 * {@link parseRefreshResponse} accepts.
 */
export type RefreshResponseParser = (body: unknown, previous: GeckoTokens) => GeckoTokens;

// GeckoForm's account API answers in PascalCase elsewhere; accept the other common spellings so
// a silent change of casing does not lock the application out.
const ID_KEYS = ['IdToken', 'idToken', 'id_token', 'id'];
const ACCESS_KEYS = ['AccessToken', 'accessToken', 'access_token', 'access'];
const REFRESH_KEYS = ['RefreshToken', 'refreshToken', 'refresh_token', 'refresh'];
const WRAPPER_KEYS = [
  'AuthenticationResult',
  'authenticationResult',
  'authentication_result',
  'data',
  'tokens',
];

/** How deep wrappers such as `{ data: { AuthenticationResult: {...} } }` are searched. */
const MAX_WRAPPER_DEPTH = 3;

/**
 * The default refresh response parser: PascalCase, camelCase, snake_case or short names, bare or
 * inside a `data` / `AuthenticationResult` wrapper. A response without a refresh token keeps the
 * previous one; a response without an ID token is an error.
 *
 * @example
 * ```ts
 * parseRefreshResponse({ IdToken: 'a', AccessToken: 'b' }, previous) // refresh kept from previous
 * ```
 * @throws {RefreshResponseError} when the body holds no usable ID token.
 */
export function parseRefreshResponse(body: unknown, previous: GeckoTokens): GeckoTokens {
  const source = findTokenObject(body, 0);
  if (source === undefined) {
    throw new RefreshResponseError('no ID token found in the response body');
  }
  const id = readString(source, ID_KEYS);
  if (id === undefined) throw new RefreshResponseError('no ID token found in the response body');

  return {
    id,
    access: readString(source, ACCESS_KEYS) ?? previous.access,
    refresh: readString(source, REFRESH_KEYS) ?? previous.refresh,
  };
}

function findTokenObject(value: unknown, depth: number): Record<string, unknown> | undefined {
  if (!isPlainRecord(value)) return undefined;
  if (readString(value, ID_KEYS) !== undefined) return value;
  if (depth >= MAX_WRAPPER_DEPTH) return undefined;

  for (const key of WRAPPER_KEYS) {
    if (!Object.hasOwn(value, key)) continue;

    const found = findTokenObject(value[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Own properties only: a hostile body with `__proto__` or `constructor` keys must not be able to
// supply a token through the prototype chain.
function readString(source: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    if (!Object.hasOwn(source, key)) continue;

    const value = source[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { RefreshResponseShape, TokenTriple } from './types.js';

/** Every accepted value of `refreshResponseShape`, for option validation. */
export const REFRESH_RESPONSE_SHAPES: readonly RefreshResponseShape[] = [
  'pascal',
  'camel',
  'snake',
  'wrapped-data',
  'wrapped-auth-result',
];

/**
 * The refresh response body in `shape`. Missing tokens are left as `undefined`, which
 * `JSON.stringify` drops, so a `tokens` fault can leave a field out of the response.
 */
export function formatRefresh(
  shape: RefreshResponseShape,
  tokens: Partial<TokenTriple>,
  expiresIn: number,
): Record<string, unknown> {
  if (shape === 'camel') {
    return {
      idToken: tokens.id,
      accessToken: tokens.access,
      refreshToken: tokens.refresh,
      expiresIn,
    };
  }
  if (shape === 'snake') {
    return {
      id_token: tokens.id,
      access_token: tokens.access,
      refresh_token: tokens.refresh,
      expires_in: expiresIn,
    };
  }

  const pascal = {
    IdToken: tokens.id,
    AccessToken: tokens.access,
    RefreshToken: tokens.refresh,
    ExpiresIn: expiresIn,
    TokenType: 'Bearer',
  };
  if (shape === 'wrapped-data') return { data: pascal };
  if (shape === 'wrapped-auth-result') return { AuthenticationResult: pascal };
  return pascal;
}

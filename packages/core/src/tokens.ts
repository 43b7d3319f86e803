import { decodeJwt } from 'jose';

import { TokenFormatError, type TokenKind } from './errors.js';
import { redactedInspect } from './redact.js';

/** The three JWTs of one GeckoForm API token, as a person copies them out of GeckoForm. */
export interface GeckoTokens {
  /** Sent with every API call (`Authorization: Bearer <id>`). Lives about a day. */
  id: string;
  /** Part of the token set; GeckoForm replaces it on every refresh. */
  access: string;
  /** Exchanged for a new set of three. Lives about 30 days. */
  refresh: string;
}

interface DecodedTimes {
  expiresAt: number | undefined;
  issuedAt: number | undefined;
}

/**
 * A validated token set with its expiry times (epoch ms). The token strings are held in private
 * fields: `util.inspect`, `console.log` and `JSON.stringify` show only the times.
 *
 * The signatures are not checked: only GeckoForm holds the key, and it checks them on every call.
 */
export class TokenSet {
  readonly #id: string;
  readonly #access: string;
  readonly #refresh: string;
  /** When the ID token expires (its `exp` claim), epoch ms. */
  readonly idExpiresAt: number;
  /** When the ID token was issued (its `iat` claim), epoch ms, if it says. */
  readonly idIssuedAt: number | undefined;
  /** When the refresh token expires, epoch ms, or undefined if it is not a readable JWT. */
  readonly refreshExpiresAt: number | undefined;

  private constructor(
    tokens: GeckoTokens,
    id: DecodedTimes & { expiresAt: number },
    refresh: DecodedTimes,
  ) {
    this.#id = tokens.id;
    this.#access = tokens.access;
    this.#refresh = tokens.refresh;
    this.idExpiresAt = id.expiresAt;
    this.idIssuedAt = id.issuedAt;
    this.refreshExpiresAt = refresh.expiresAt;
  }

  /**
   * Validate three tokens and read their expiries.
   *
   * @throws {TokenFormatError} naming which token is malformed and how.
   */
  static from(tokens: unknown): TokenSet {
    if (typeof tokens !== 'object' || tokens === null) {
      throw new TypeError('`tokens` must be an object with `id`, `access` and `refresh` strings.');
    }
    const raw = tokens as Record<string, unknown>;
    const id = requireTokenString(raw['id'], 'id');
    const access = requireTokenString(raw['access'], 'access');
    const refresh = requireTokenString(raw['refresh'], 'refresh');

    const idTimes = decodeTimes(id, 'id', true);
    if (idTimes.expiresAt === undefined) {
      throw new TokenFormatError('id', 'has no numeric `exp` claim, so its expiry is unknown');
    }
    decodeTimes(access, 'access', false);
    const refreshTimes = decodeTimes(refresh, 'refresh', false);

    return new TokenSet(
      { id, access, refresh },
      { ...idTimes, expiresAt: idTimes.expiresAt },
      refreshTimes,
    );
  }

  /** The ID token string. */
  get id(): string {
    return this.#id;
  }

  /** The access token string. */
  get access(): string {
    return this.#access;
  }

  /** The refresh token string. */
  get refresh(): string {
    return this.#refresh;
  }

  /** A plain copy of the three strings, for a token store to persist. */
  toTokens(): GeckoTokens {
    return { id: this.#id, access: this.#access, refresh: this.#refresh };
  }

  /** True when `other` was issued later than this set (by `iat`, then `exp`). */
  isOlderThan(other: TokenSet): boolean {
    const mine = this.idIssuedAt ?? this.idExpiresAt;
    const theirs = other.idIssuedAt ?? other.idExpiresAt;
    if (mine !== theirs) return mine < theirs;

    return this.idExpiresAt < other.idExpiresAt;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: '[redacted]',
      access: '[redacted]',
      refresh: '[redacted]',
      idExpiresAt: new Date(this.idExpiresAt).toISOString(),
      refreshExpiresAt:
        this.refreshExpiresAt === undefined ? null : new Date(this.refreshExpiresAt).toISOString(),
    };
  }

  [redactedInspect](): string {
    return `TokenSet ${JSON.stringify(this.toJSON())}`;
  }
}

const TOKEN_NAMES: Record<TokenKind, string> = {
  id: 'an ID token',
  access: 'an access token',
  refresh: 'a refresh token',
};

/** RFC 6750's `b64token`: the characters a bearer token may hold. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** A compact JWS: three base64url parts (the last, the signature, may be empty for `alg: none`). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function requireTokenString(value: unknown, kind: TokenKind): string {
  if (typeof value !== 'string') {
    throw new TokenFormatError(
      kind,
      `must be a string, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const trimmed = value.trim();
  if (trimmed === '') throw new TokenFormatError(kind, 'is empty');
  if (/^bearer\s/i.test(trimmed)) {
    throw new TokenFormatError(kind, 'starts with "Bearer ": pass the token alone');
  }

  // A bearer token is base64url-ish (RFC 6750 `b64token`). Anything else — quotes or a comma
  // pasted along from JSON, a line break — would be sent as is and refused by GeckoForm, which
  // would then look like a revoked token instead of a copy-and-paste slip.
  if (!B64TOKEN.test(trimmed)) {
    throw new TokenFormatError(kind, 'contains characters that cannot appear in a token (quotes?)');
  }
  if (trimmed.includes('.') && !JWT_SHAPE.test(trimmed)) {
    throw new TokenFormatError(kind, 'is not a well-formed JWT (three base64url parts)');
  }
  return trimmed;
}

/**
 * Read `exp`/`iat` from a JWT. The ID token must decode; the others may be opaque strings,
 * in which case their expiry is unknown (not an error).
 */
function decodeTimes(token: string, kind: TokenKind, required: boolean): DecodedTimes {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch (error) {
    if (!required) return { expiresAt: undefined, issuedAt: undefined };
    throw new TokenFormatError(kind, 'is not a readable JWT (three base64url parts)', {
      cause: describeDecodeFailure(error),
    });
  }

  const use = claims['token_use'];
  if (typeof use === 'string' && use !== kind && ['id', 'access', 'refresh'].includes(use)) {
    throw new TokenFormatError(
      kind,
      `is ${TOKEN_NAMES[use as TokenKind]}: check the three tokens are not swapped`,
    );
  }

  return { expiresAt: secondsToMs(claims['exp']), issuedAt: secondsToMs(claims['iat']) };
}

function secondsToMs(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
}

// jose's messages never include the token, but keep only the class name and code to be certain.
function describeDecodeFailure(error: unknown): Error {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  return new Error(`JWT decode failed${typeof code === 'string' && code ? ` (${code})` : ''}`);
}

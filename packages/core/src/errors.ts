/**
 * Every error gecko-auth throws extends {@link GeckoAuthError} and carries a stable `code`.
 * Switch on `code` (or use {@link isGeckoAuthError}), never on message text.
 * Messages are short, say what to do, and never contain a token.
 */

import { redactSecrets } from './redact.js';

const BRAND = Symbol.for('gecko-auth.error');

/** Stable codes of every error gecko-auth throws. */
export type GeckoErrorCode =
  | 'GECKO_TOKEN_INVALID'
  | 'GECKO_TOKENS_MISSING'
  | 'GECKO_REAUTH_REQUIRED'
  | 'GECKO_REFRESH_FAILED'
  | 'GECKO_REFRESH_TIMEOUT'
  | 'GECKO_REFRESH_RESPONSE_INVALID'
  | 'GECKO_API_ERROR'
  | 'GECKO_RESPONSE_INVALID'
  | 'GECKO_REQUEST_TIMEOUT'
  | 'GECKO_REQUEST_ABORTED'
  | 'GECKO_NETWORK_ERROR'
  | 'GECKO_FOREIGN_ORIGIN'
  | 'GECKO_INVALID_REQUEST'
  | 'GECKO_STORE_ERROR'
  | 'GECKO_CLOSED';

/**
 * Base class of every gecko-auth error.
 *
 * @example
 * ```ts
 * try { await client.get('/forms') }
 * catch (error) { if (isGeckoAuthError(error) && error.code === 'GECKO_REAUTH_REQUIRED') page() }
 * ```
 */
export class GeckoAuthError extends Error {
  /** Stable, machine-readable identifier of the failure. */
  readonly code: GeckoErrorCode;

  constructor(code: GeckoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for any gecko-auth error, even one thrown by a second copy of the package
 * (where `instanceof` fails).
 */
export function isGeckoAuthError(value: unknown): value is GeckoAuthError {
  return typeof value === 'object' && value !== null && BRAND in value;
}

/** Which of the three GeckoForm tokens an error is about. */
export type TokenKind = 'id' | 'access' | 'refresh';

/** A token given to gecko-auth is malformed. Names the token and the problem, never its text. */
export class TokenFormatError extends GeckoAuthError {
  readonly token: TokenKind;

  constructor(token: TokenKind, problem: string, options?: { cause?: unknown }) {
    super('GECKO_TOKEN_INVALID', `The ${token} token ${problem}.`, options);
    this.token = token;
  }
}

/** No tokens were given to the constructor and the store holds none. */
export class TokensMissingError extends GeckoAuthError {
  constructor() {
    super(
      'GECKO_TOKENS_MISSING',
      'No GeckoForm tokens: pass `tokens` to GeckoAuth or put them in its store.',
    );
  }
}

/**
 * The refresh token was refused (expired, revoked or invalid). No code can recover:
 * a person must create a new API token in GeckoForm and give it to the application.
 */
export class ReauthRequiredError extends GeckoAuthError {
  /**
   * HTTP status the refresh endpoint answered with. Deliberately not named `status`: Express and
   * Koa would send that status to the application's own caller.
   */
  readonly refreshStatus: number | undefined;

  constructor(status: number | undefined, options?: { cause?: unknown }) {
    // 404 and 405 more likely mean a wrong `refreshUrl` than a refused token: say so first.
    const cause =
      status === 404 || status === 405
        ? `The refresh endpoint answered HTTP ${status}: check \`refreshUrl\`. If it is right, `
        : `GeckoForm refused the refresh token${status === undefined ? '' : ` (HTTP ${status})`}. `;
    super(
      'GECKO_REAUTH_REQUIRED',
      cause +
        'Create a new API token in GeckoForm (Security Preferences → Create New API Token) ' +
        'and give it to the application.',
      options,
    );
    this.refreshStatus = status;
  }
}

/** A refresh failed for a reason that may pass (network, 5xx, 429) after all retries. */
export class RefreshError extends GeckoAuthError {
  /** HTTP status the refresh endpoint answered with, if it answered (see ReauthRequiredError). */
  readonly refreshStatus: number | undefined;
  /** How long the endpoint asked us to wait (`Retry-After`), in ms, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    init: { status?: number; retryAfterMs?: number | undefined; cause?: unknown } = {},
  ) {
    super(
      'GECKO_REFRESH_FAILED',
      message,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.refreshStatus = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The refresh (including its retries) took longer than `refreshTimeout`. */
export class RefreshTimeoutError extends GeckoAuthError {
  constructor(timeoutMs: number) {
    super('GECKO_REFRESH_TIMEOUT', `Token refresh did not finish within ${timeoutMs} ms.`);
  }
}

/** The refresh endpoint answered 2xx with a body gecko-auth cannot use. */
export class RefreshResponseError extends GeckoAuthError {
  constructor(problem: string, options?: { cause?: unknown }) {
    super('GECKO_REFRESH_RESPONSE_INVALID', `Unusable refresh response: ${problem}.`, options);
  }
}

/** A request could not reach GeckoForm (DNS, connection refused or reset). */
export class NetworkError extends GeckoAuthError {
  constructor(method: string, url: string, options?: { cause?: unknown }) {
    super('GECKO_NETWORK_ERROR', `${method} ${url} failed: network error.`, options);
  }
}

/** A GeckoForm request took longer than its timeout. */
export class RequestTimeoutError extends GeckoAuthError {
  constructor(method: string, url: string, timeoutMs: number) {
    super('GECKO_REQUEST_TIMEOUT', `${method} ${url} timed out after ${timeoutMs} ms.`);
  }
}

/** A GeckoForm request was cancelled through its AbortSignal (e.g. the caller hung up). */
export class RequestAbortedError extends GeckoAuthError {
  constructor(method: string, url: string, options?: { cause?: unknown }) {
    super('GECKO_REQUEST_ABORTED', `${method} ${url} was aborted.`, options);
  }
}

/** A request would have sent a GeckoForm token to an origin it does not belong to. */
export class ForeignOriginError extends GeckoAuthError {
  constructor(url: string, allowedOrigin: string) {
    super(
      'GECKO_FOREIGN_ORIGIN',
      `Refusing to send the GeckoForm token to ${url}: only ${allowedOrigin} may receive it.`,
    );
  }
}

/** A request's path or URL cannot be parsed. */
export class InvalidRequestError extends GeckoAuthError {
  constructor(problem: string) {
    super('GECKO_INVALID_REQUEST', problem);
  }
}

/** The token store failed to load or save. */
export class StoreError extends GeckoAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GECKO_STORE_ERROR', message, options);
  }
}

/** The GeckoAuth instance was closed. */
export class ClosedError extends GeckoAuthError {
  constructor() {
    super('GECKO_CLOSED', 'This GeckoAuth instance is closed.');
  }
}

/**
 * GeckoForm answered a request with a non-2xx status.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof GeckoApiError && error.status === 404) return null }
 * ```
 */
export class GeckoApiError extends GeckoAuthError {
  /**
   * GeckoForm's HTTP status. Express's and Koa's default error handlers answer with an error's
   * `status`: map this error in your own handler rather than passing GeckoForm's 401 or 404 on.
   */
  readonly status: number;
  readonly method: string;
  readonly url: string;
  /** The response body: parsed JSON when it was JSON, else its text (possibly truncated). */
  readonly body: unknown;
  /** GeckoForm's own error identifier from the body (`Error`, `error` or `code`), if any. */
  readonly errorCode: string | undefined;

  /**
   * @param init.redact Secrets to blank out of the body before it is kept (the token that was
   * sent, in case the server quotes it back).
   */
  constructor(init: {
    status: number;
    method: string;
    url: string;
    body: unknown;
    redact?: readonly string[];
  }) {
    const body = redactSecrets(init.body, init.redact ?? []);
    const errorCode = readErrorField(body, ['Error', 'error', 'code', 'Code']);
    const detail = readErrorField(body, ['Message', 'message', 'detail']);
    super(
      'GECKO_API_ERROR',
      `${init.method} ${init.url} answered ${init.status}` +
        (detail === undefined ? '.' : `: ${detail.slice(0, 200)}`),
    );
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.body = body;
    this.errorCode = errorCode;
  }
}

function readErrorField(body: unknown, keys: readonly string[]): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;

  for (const key of keys) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** GeckoForm answered 2xx with a body gecko-auth cannot use (too large, or no list to page). */
export class UnexpectedResponseError extends GeckoAuthError {
  constructor(method: string, url: string, problem: string) {
    super('GECKO_RESPONSE_INVALID', `${method} ${url}: ${problem}.`);
  }
}

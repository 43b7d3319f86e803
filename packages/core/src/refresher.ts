import { parseJsonOrUndefined, readTextLimited, MAX_REFRESH_BODY_BYTES } from './body.js';
import {
  GeckoAuthError,
  NetworkError,
  ReauthRequiredError,
  RefreshError,
  RefreshResponseError,
} from './errors.js';
import type { RefreshResponseParser } from './refresh-response.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry.js';
import { TokenSet } from './tokens.js';

/** What one refresh needs; assembled by GeckoAuth from its options. */
export interface RefreshCall {
  url: string;
  method: 'GET' | 'POST';
  fetch: typeof fetch;
  parse: RefreshResponseParser;
  /** Attempts after the first one, for network errors, 408/429/5xx and unusable bodies. */
  retries: number;
  now: () => number;
  signal: AbortSignal;
  /** `Date.now()` past which the whole refresh is given up: no Retry-After wait beyond it. */
  deadline: number;
  onRetry: (error: GeckoAuthError, delayMs: number) => void;
}

/** A refreshed token set and the local time its response arrived (for clock-skew correction). */
export interface RefreshResult {
  tokens: TokenSet;
  receivedAt: number;
}

/**
 * Exchange the refresh token for a new set, retrying what may pass. A refused refresh token
 * (any 4xx but 408/429) is final and throws {@link ReauthRequiredError} at once.
 */
export async function callRefreshEndpoint(
  current: TokenSet,
  call: RefreshCall,
): Promise<RefreshResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptRefresh(current, call);
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason;
      if (!(error instanceof GeckoAuthError) || error instanceof ReauthRequiredError) throw error;
      if (attempt >= call.retries) throw error;
      // Waiting longer than asked-for pauses allow, or past the refresh's own deadline, would only
      // keep every caller hanging: fail now and let them know.
      const retryAfter = retryAfterOf(error);
      if (retryAfter > MAX_RETRY_AFTER_MS || Date.now() + retryAfter > call.deadline) throw error;

      const delay = Math.max(retryAfterOf(error), backoffDelay(attempt));
      call.onRetry(error, delay);
      await sleep(delay, call.signal);
    }
  }
}

/** A Retry-After longer than this is not waited for: the refresh fails now and callers learn why,
 * instead of every caller hanging until the refresh timeout. */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterOf(error: GeckoAuthError): number {
  return error instanceof RefreshError ? (error.retryAfterMs ?? 0) : 0;
}

async function attemptRefresh(current: TokenSet, call: RefreshCall): Promise<RefreshResult> {
  let response: Response;
  try {
    response = await call.fetch(call.url, {
      method: call.method,
      headers: { authorization: `Bearer ${current.refresh}`, accept: 'application/json' },
      // The refresh token must reach only the refresh origin: never follow a redirect with it.
      redirect: 'error',
      signal: call.signal,
    });
  } catch (error) {
    if (call.signal.aborted) throw call.signal.reason;
    throw new NetworkError(call.method, call.url, { cause: error });
  }

  const receivedAt = call.now();
  const { text, truncated } = await readTextLimited(response, MAX_REFRESH_BODY_BYTES);
  if (isRetryableStatus(response.status)) {
    throw new RefreshError(
      `Token refresh failed: the refresh endpoint answered ${response.status}.`,
      {
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), receivedAt),
      },
    );
  }
  if (response.status >= 400) throw new ReauthRequiredError(response.status);
  if (response.status !== 200 && response.status !== 201) {
    throw new RefreshResponseError(`unexpected status ${response.status}`);
  }
  if (truncated) throw new RefreshResponseError(`body larger than ${MAX_REFRESH_BODY_BYTES} bytes`);

  const body = parseJsonOrUndefined(text);
  if (body === undefined) throw new RefreshResponseError('body is not JSON');

  const tokens = toTokenSet(() => call.parse(body, current.toTokens()));
  // GeckoForm issues a new ID token with a new expiry on every refresh; the same token back, or one
  // that dies before the token it replaces, is a stale or replayed answer that only brings a 401.
  if (tokens.id === current.id || tokens.idExpiresAt < current.idExpiresAt) {
    throw new RefreshResponseError('the new ID token is not newer than the one it replaces');
  }
  return { tokens, receivedAt };
}

function toTokenSet(parse: () => unknown): TokenSet {
  let tokens: TokenSet;
  try {
    tokens = TokenSet.from(parse());
  } catch (error) {
    if (error instanceof RefreshResponseError) throw error;

    // Only our own errors are known to be token-free; a custom parser's error may quote the body.
    if (error instanceof GeckoAuthError) {
      throw new RefreshResponseError(`returned tokens are invalid (${error.message})`, {
        cause: error,
      });
    }
    throw new RefreshResponseError('the refresh response parser threw');
  }
  if (tokens.idIssuedAt !== undefined && tokens.idExpiresAt <= tokens.idIssuedAt) {
    throw new RefreshResponseError('the new ID token expires before it was issued');
  }
  return tokens;
}

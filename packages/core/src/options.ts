import { parseRefreshResponse, type RefreshResponseParser } from './refresh-response.js';
import { MAX_TIMER_MS } from './retry.js';
import { MemoryStore, type TokenStore } from './store.js';
import type { GeckoTokens } from './tokens.js';
import type { WarningEvent } from './events.js';
import { DEFAULT_REFRESH_URL, isLoopbackHost, parseServiceUrl, regionApiUrl } from './urls.js';

/** Refresh this long before the ID token expires. Covers a few minutes of clock skew plus a slow
 * refresh with retries, and costs about 1% of a one-day token's life. */
export const DEFAULT_REFRESH_WINDOW_MS = 15 * 60_000;
/** A refresh, all retries included, fails after this long so a hung endpoint cannot hold callers. */
export const DEFAULT_REFRESH_TIMEOUT_MS = 30_000;
/** Retries of a refresh after network errors, 408/429/5xx and unusable bodies. */
export const DEFAULT_REFRESH_RETRIES = 3;
/** Default timeout of one GeckoForm API request made through a client. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default retries of an idempotent API request after 429/5xx or a network error. */
export const DEFAULT_REQUEST_RETRIES = 2;

/** A source of the current time in epoch ms; inject one to control time in tests. */
export interface Clock {
  now(): number;
}

/** Options of {@link GeckoAuth}. One of `region` or `apiUrl` is required. */
export interface GeckoAuthOptions {
  /** The three tokens from GeckoForm. May be omitted when `store` already holds tokens. */
  tokens?: GeckoTokens;
  /** Where tokens are kept across refreshes and restarts. Default: in memory. */
  store?: TokenStore;
  /** GeckoForm region, e.g. `'eu'` → `https://api-eu.geckoform.com`. */
  region?: string;
  /** GeckoForm API base URL; overrides `region`. */
  apiUrl?: string;
  /** The refresh endpoint. Default: GeckoForm's published one. */
  refreshUrl?: string;
  /** HTTP method of the refresh call. Default `'GET'`, as GeckoForm documents. */
  refreshMethod?: 'GET' | 'POST';
  /** Refresh when the ID token has less than this many ms to live. Default 15 minutes. */
  refreshWindow?: number;
  /** Give up a refresh (retries included) after this many ms. Default 30 s. */
  refreshTimeout?: number;
  /** Retries of a refresh after transient failures. Default 3. */
  refreshRetries?: number;
  /** Read the refresh response your way, if GeckoForm's shape differs from what is accepted. */
  parseRefreshResponse?: RefreshResponseParser;
  /** Default timeout of an API request made through a client, in ms. Default 30 s. */
  requestTimeout?: number;
  /** Default retries of idempotent API requests after 429/5xx. Default 2. */
  requestRetries?: number;
  /** The fetch implementation. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The time source. Default: `Date`. */
  clock?: Clock;
  /** Permit plain `http:` to non-loopback hosts. Emits a `warning` event. Default false. */
  allowInsecureHttp?: boolean;
  /**
   * Refresh in the background even without traffic, so the refresh token never lapses while the
   * process runs. `true`, or `{ checkInterval }` (ms between wake-ups, default 60 s). Default off.
   */
  keepAlive?: boolean | { checkInterval?: number };
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  apiUrl: string;
  refreshUrl: string;
  refreshMethod: 'GET' | 'POST';
  store: TokenStore;
  refreshWindow: number;
  refreshTimeout: number;
  refreshRetries: number;
  parseRefreshResponse: RefreshResponseParser;
  requestTimeout: number;
  requestRetries: number;
  fetch: typeof fetch;
  clock: Clock;
  /** Wake-up interval of the keep-alive loop in ms, or undefined when keep-alive is off. */
  keepAliveInterval: number | undefined;
  warnings: WarningEvent[];
}

/** Validate every option at construction and fail at once, naming the option. */
export function validateOptions(options: GeckoAuthOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('GeckoAuth needs an options object.');
  }
  const allowInsecure = options.allowInsecureHttp === true;
  if (options.apiUrl === undefined && options.region === undefined) {
    throw new TypeError('Set `region` (e.g. "eu") or `apiUrl` to say which GeckoForm API to call.');
  }
  const api = parseServiceUrl(
    options.apiUrl ?? regionApiUrl(String(options.region)),
    'apiUrl',
    allowInsecure,
  );
  const refresh = parseServiceUrl(
    options.refreshUrl ?? DEFAULT_REFRESH_URL,
    'refreshUrl',
    allowInsecure,
  );
  if (options.tokens === undefined && options.store === undefined) {
    throw new TypeError('Pass `tokens` (the three GeckoForm tokens) or a `store` that holds them.');
  }

  const warnings: WarningEvent[] = [];
  for (const url of [api, refresh]) {
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      warnings.push({
        code: 'insecure-http',
        message: `Tokens are sent over plain http to ${url.origin} (allowInsecureHttp is set).`,
      });
    }
  }

  return {
    apiUrl: api.href.replace(/\/+$/, ''),
    refreshUrl: refresh.href,
    refreshMethod: oneOf(options.refreshMethod, ['GET', 'POST'] as const, 'refreshMethod', 'GET'),
    store: validateStore(options.store),
    refreshWindow: duration(options.refreshWindow, 'refreshWindow', DEFAULT_REFRESH_WINDOW_MS),
    refreshTimeout: duration(
      options.refreshTimeout,
      'refreshTimeout',
      DEFAULT_REFRESH_TIMEOUT_MS,
      1,
    ),
    refreshRetries: count(options.refreshRetries, 'refreshRetries', DEFAULT_REFRESH_RETRIES),
    parseRefreshResponse:
      fn(options.parseRefreshResponse, 'parseRefreshResponse') ?? parseRefreshResponse,
    requestTimeout: duration(
      options.requestTimeout,
      'requestTimeout',
      DEFAULT_REQUEST_TIMEOUT_MS,
      1,
    ),
    requestRetries: count(options.requestRetries, 'requestRetries', DEFAULT_REQUEST_RETRIES),
    fetch: fn(options.fetch, 'fetch') ?? globalFetch(),
    clock: validateClock(options.clock),
    keepAliveInterval: keepAliveInterval(options.keepAlive),
    warnings,
  };
}

/** How often the keep-alive loop wakes up to check whether a refresh is due. */
export const DEFAULT_KEEP_ALIVE_CHECK_MS = 60_000;

function keepAliveInterval(value: GeckoAuthOptions['keepAlive']): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_KEEP_ALIVE_CHECK_MS;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('`keepAlive` must be a boolean or `{ checkInterval }`.');
  }
  return duration(value.checkInterval, 'keepAlive.checkInterval', DEFAULT_KEEP_ALIVE_CHECK_MS, 1);
}

function duration(value: unknown, option: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    throw new TypeError(
      `\`${option}\` must be a number of milliseconds from ${min} to ${MAX_TIMER_MS}.`,
    );
  }
  return value;
}

function count(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 20) {
    throw new TypeError(`\`${option}\` must be an integer from 0 to 20.`);
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  option: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new TypeError(`\`${option}\` must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function fn<T>(value: T | undefined, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`\`${option}\` must be a function.`);
  }
  return value;
}

function validateStore(store: TokenStore | undefined): TokenStore {
  if (store === undefined) return new MemoryStore();
  if (typeof store.load !== 'function' || typeof store.save !== 'function') {
    throw new TypeError('`store` must have `load()` and `save(tokens)` methods.');
  }
  return store;
}

function validateClock(clock: Clock | undefined): Clock {
  if (clock === undefined) return Date;
  if (typeof clock.now !== 'function') throw new TypeError('`clock` must have a `now()` method.');
  return clock;
}

function globalFetch(): typeof fetch {
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError('No global `fetch` in this runtime: pass the `fetch` option.');
  }
  // Bound lazily so a test or polyfill that replaces globalThis.fetch later is still honoured.
  return (input, init) => globalThis.fetch(input, init);
}

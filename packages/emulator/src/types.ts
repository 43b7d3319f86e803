/**
 * Options for {@link startEmulator}. Every field is optional.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ idTokenTtl: 60, forms: 30 });
 * ```
 */
export interface EmulatorOptions {
  /** Interface both servers listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Port of the account server (the refresh endpoint). Default `0`: a free port. */
  accountPort?: number;
  /** Port of the regional API server. Default `0`: a free port. */
  apiPort?: number;
  /** Lifetime of ID and access tokens, in seconds. Default `86_400` (one day). */
  idTokenTtl?: number;
  /** Lifetime of refresh tokens, in seconds. Default `2_592_000` (30 days). */
  refreshTokenTtl?: number;
  /** Epoch milliseconds the emulated clock starts at. Default `Date.now()`. */
  startTime?: number;
  /** Number of seeded fake forms. Default `137`. */
  forms?: number;
  /** JSON shape of a successful refresh response. Default `'pascal'`. */
  refreshResponseShape?: RefreshResponseShape;
}

/**
 * The JSON shapes the refresh endpoint can answer in. GeckoForm does not publish its shape, so
 * clients are expected to parse all of these.
 *
 * - `pascal`: `{ IdToken, AccessToken, RefreshToken, ExpiresIn, TokenType: 'Bearer' }`
 * - `camel`: `{ idToken, accessToken, refreshToken, expiresIn }`
 * - `snake`: `{ id_token, access_token, refresh_token, expires_in }`
 * - `wrapped-data`: `{ data: <pascal> }`
 * - `wrapped-auth-result`: `{ AuthenticationResult: <pascal> }`
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ refreshResponseShape: 'snake' });
 * ```
 */
export type RefreshResponseShape =
  'pascal' | 'camel' | 'snake' | 'wrapped-data' | 'wrapped-auth-result';

/**
 * One GeckoForm API token: the three JWTs a person copies out of GeckoForm.
 *
 * @example
 * ```ts
 * const { id, access, refresh }: TokenTriple = await emulator.issueTokens();
 * ```
 */
export interface TokenTriple {
  id: string;
  access: string;
  refresh: string;
}

/**
 * Overrides for {@link Emulator.issueTokens}. Refreshes of the issued triple keep these values.
 *
 * @example
 * ```ts
 * const shortLived = await emulator.issueTokens({ idTokenTtl: 30, subject: 'profile-42' });
 * ```
 */
export interface IssueTokensOptions {
  /** Lifetime of the ID and access tokens, in seconds. */
  idTokenTtl?: number;
  /** Lifetime of the refresh token, in seconds. */
  refreshTokenTtl?: number;
  /** The `sub` claim (the GeckoForm profile). Default `'emulator-profile'`. */
  subject?: string;
}

/**
 * The emulated clock. It runs at real speed from `startTime`; `advance` and `set` jump it.
 * Token `iat`/`exp` claims and every expiry check use it.
 *
 * @example
 * ```ts
 * emulator.clock.advance(25 * 60 * 60 * 1000); // a day and an hour later: ID tokens expired
 * ```
 */
export interface EmulatorClock {
  /** Emulated epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` milliseconds (`ms` >= 0). */
  advance(ms: number): void;
  /** Sets the clock to `epochMs`; it keeps running from there. */
  set(epochMs: number): void;
}

/**
 * A queued misbehaviour for the next matching request(s), see {@link Emulator.fault}.
 * At most one outcome may be chosen: `hang`, `reset`, `redirectTo`, `status`/`body`, or `tokens`.
 * `delayMs` may be combined with any outcome except `hang`; alone, it delays a normal answer.
 *
 * @example
 * ```ts
 * emulator.fault('api', { status: 429, headers: { 'retry-after': '1' }, times: 2 });
 * ```
 */
export interface Fault {
  /** How many matching requests it applies to. Default `1`; `Infinity` until cleared. */
  times?: number;
  /** Answer with this status (a JSON error body unless `body` is given). */
  status?: number;
  /** Raw body text to send; the status defaults to 200 when only `body` is given. */
  body?: string;
  /** Content type of `body`. Default `'application/json'`. */
  contentType?: string;
  /** Extra response headers, also added to a normal answer (e.g. `{ 'retry-after': '2' }`). */
  headers?: Record<string, string>;
  /** Wait this long, then answer normally (or with the chosen outcome). */
  delayMs?: number;
  /** Never answer; the socket stays open until the client gives up or `close()` is called. */
  hang?: boolean;
  /** Destroy the socket without answering (the client sees a connection reset). */
  reset?: boolean;
  /** Answer `302` with `Location: redirectTo`. */
  redirectTo?: string;
  /**
   * Refresh only: answer 200 with exactly these tokens, in the configured shape, without checking
   * the request. A field left out is left out of the response.
   */
  tokens?: Partial<TokenTriple>;
}

/**
 * One request received by either server, as logged in {@link EmulatorStats.requests}.
 *
 * @example
 * ```ts
 * const entry: RecordedRequest = emulator.stats.requests[0]!;
 * entry.authorization; // 'Bearer eyJ...'
 * ```
 */
export interface RecordedRequest {
  server: 'account' | 'api';
  method: string;
  /** Path with query string, e.g. `/forms?page=2`. */
  path: string;
  /** The raw `Authorization` header value, or `undefined` when absent. */
  authorization: string | undefined;
}

/**
 * Live counters: the same object is updated as requests arrive, so read it after making calls.
 *
 * @example
 * ```ts
 * expect(emulator.stats.refreshCalls).toBe(1);
 * expect(emulator.stats.apiCallsByToken.get(tokens.id)).toBe(3);
 * ```
 */
export interface EmulatorStats {
  /** Every request that reached `/tokens/refresh`, failed and faulted ones included. */
  refreshCalls: number;
  /** Refresh requests answered 200 with tokens (a `tokens` fault included). */
  successfulRefreshes: number;
  /** Every request that reached the API server, faulted ones included. */
  apiCalls: number;
  /** API requests per bearer token sent (the raw token string after `Bearer `). */
  apiCallsByToken: Map<string, number>;
  /** API requests answered 401, whether rejected by the token check or by a fault. */
  unauthorizedApiCalls: number;
  /** Every request received by either server, in arrival order. */
  requests: RecordedRequest[];
}

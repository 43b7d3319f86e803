import { GeckoClient, type GeckoClientOptions } from './client.js';
import { Emitter } from './emitter.js';
import {
  ClosedError,
  GeckoAuthError,
  ReauthRequiredError,
  RefreshError,
  RefreshTimeoutError,
  StoreError,
  TokensMissingError,
} from './errors.js';
import type { GeckoAuthEvents, RefreshReason } from './events.js';
import { startKeepAlive } from './keep-alive.js';
import { validateOptions, type GeckoAuthOptions, type ResolvedOptions } from './options.js';
import { redactedInspect } from './redact.js';
import { callRefreshEndpoint } from './refresher.js';
import { raceSignal } from './signals.js';
import type { SaveOptions } from './store.js';
import { TokenSet, type GeckoTokens } from './tokens.js';

/** Treat the ID token as expired this long before its `exp`, so no request carries a token that
 * expires while in flight. Capped at a tenth of the token's life for very short-lived tokens. */
const EXPIRY_MARGIN_MS = 30_000;
/** After a failed background refresh, wait this long (doubling per failure) before another. */
const BACKGROUND_RETRY_BASE_MS = 5_000;
const BACKGROUND_RETRY_MAX_MS = 5 * 60_000;
/** A token obtained by refresh this recently is not refreshed again because of a 401: when the
 * API rejects every token, that stops a refresh per request. */
const MIN_REACTIVE_REFRESH_INTERVAL_MS = 5_000;

/** Warn when the refresh token has less than this left and refreshing keeps failing: past its
 * expiry no code can recover, so an operator should look before then. */
const REFRESH_TOKEN_WARNING_MS = 3 * 24 * 60 * 60_000;
/** Keep-alive refreshes at least this long before the refresh token expires. */
const REFRESH_TOKEN_MARGIN_MS = 60 * 60_000;

/** How often a process in re-auth-required looks in the store for a new API token. */
const REAUTH_STORE_PROBE_MS = 5_000;

/** Where a new token set came from: this process's refresh call, or another's, via the store. */
type Outcome = { tokens: TokenSet; receivedAt: number | undefined; source: 'endpoint' | 'store' };

/** Lifecycle of a GeckoAuth instance. */
export type GeckoAuthStatus = 'loading' | 'ready' | 'reauth-required' | 'closed';

/**
 * Owns one GeckoForm API token (three JWTs) and keeps it valid: refreshes shortly before the ID
 * token expires, once on a 401, and never more than once at a time.
 *
 * @example
 * ```ts
 * const auth = new GeckoAuth({ region: 'eu', tokens: { id, access, refresh }, store });
 * auth.on('reauth-required', () => pager.alert('Create a new GeckoForm API token'));
 * const forms = await auth.client().get('/forms', { query: { per_page: 15 } });
 * ```
 */
export class GeckoAuth extends Emitter<GeckoAuthEvents> {
  /** Base URL of the GeckoForm API; the only place the ID token is sent. */
  readonly apiUrl: string;
  /** Origin of {@link GeckoAuth.apiUrl}, computed once so per-request clients need not parse it. */
  readonly apiOrigin: string;
  /** The refresh endpoint; the only place the refresh token is sent. */
  readonly refreshUrl: string;

  readonly #options: ResolvedOptions;
  readonly #initial: TokenSet | undefined;
  #current: TokenSet | undefined;
  #idToken = '';
  // The hot path is one comparison against #refreshAt; everything else happens off it.
  #refreshAt = Number.NEGATIVE_INFINITY;
  #usableUntil = Number.NEGATIVE_INFINITY;
  #obtainedAt = Number.NEGATIVE_INFINITY;
  #backgroundFailures = 0;
  #loading: Promise<void> | undefined;
  #inflight: Promise<TokenSet> | undefined;
  #reauth: ReauthRequiredError | undefined;
  #closed = false;
  #keepAliveDueAt = Number.NEGATIVE_INFINITY;
  /** ID token of the set the store held when last read or written by this instance. */
  #storeSeenId: string | undefined;
  /** The other candidate at load (constructor tokens or stored ones), tried if the chosen set's
   * refresh token is refused: it may be a new API token an operator just put in place. */
  #fallback: TokenSet | undefined;
  /** Bumped by setTokens: a refresh that started from an older set must not overwrite it. */
  #generation = 0;
  /** In re-auth-required: when the store may next be read for a replacement token set. */
  #nextStoreProbe = Number.NEGATIVE_INFINITY;
  /** The refresh endpoint asked us (Retry-After) not to come back before this time. */
  #retryNotBefore = Number.NEGATIVE_INFINITY;
  #lastFailure: GeckoAuthError | undefined;
  /** The refresh token last warned about, so each one is reported once. */
  #warnedAbout: string | undefined;
  #stopKeepAlive: (() => void) | undefined;

  /**
   * @throws {TypeError} for an invalid option, naming it.
   * @throws {TokenFormatError} for a malformed token, naming which one (never its text).
   */
  constructor(options: GeckoAuthOptions) {
    super();
    this.#options = validateOptions(options);
    this.apiUrl = this.#options.apiUrl;
    this.apiOrigin = new URL(this.apiUrl).origin;
    this.refreshUrl = this.#options.refreshUrl;
    this.#initial = options.tokens === undefined ? undefined : TokenSet.from(options.tokens);

    for (const warning of this.#options.warnings) {
      queueMicrotask(() => this.emit('warning', warning));
    }
    if (this.#options.keepAliveInterval !== undefined) {
      this.#stopKeepAlive = startKeepAlive(
        {
          now: () => this.#options.clock.now(),
          dueAt: () => this.#keepAliveDueAt,
          run: () => this.#keepAlive(),
        },
        this.#options.keepAliveInterval,
      );
    }
  }

  /** Where this instance is in its life. */
  get status(): GeckoAuthStatus {
    if (this.#closed) return 'closed';
    if (this.#reauth !== undefined) return 'reauth-required';
    return this.#current === undefined ? 'loading' : 'ready';
  }

  /** The current token set (prints without its secrets), or undefined before the first use. */
  get tokens(): TokenSet | undefined {
    return this.#current;
  }

  /**
   * A valid ID token. Costs one clock read while the token is fresh; refreshes in the background
   * inside the refresh window, and waits for a refresh only once the token has expired.
   *
   * @throws {ReauthRequiredError} once GeckoForm has refused the refresh token and the ID token
   * has expired.
   */
  getIdToken(): Promise<string> {
    if (this.#options.clock.now() < this.#refreshAt) return Promise.resolve(this.#idToken);

    return this.#resolveIdToken();
  }

  /** The current ID token if it needs no refresh yet (the hot path), else undefined. */
  peekIdToken(): string | undefined {
    return this.#options.clock.now() < this.#refreshAt ? this.#idToken : undefined;
  }

  /**
   * Report that the API answered 401 to `rejectedIdToken`. Refreshes only if that token is still
   * the current one (otherwise someone already did), and resolves to the token to retry with.
   * When it resolves to `rejectedIdToken` itself, no newer token exists: do not retry.
   */
  async handleUnauthorized(rejectedIdToken: string): Promise<string> {
    await this.#ensureLoaded();
    if (rejectedIdToken !== this.#idToken) return this.getIdToken();

    const sinceRefresh = this.#options.clock.now() - this.#obtainedAt;
    if (sinceRefresh < MIN_REACTIVE_REFRESH_INTERVAL_MS) return this.#idToken;

    return (await this.#refreshShared('unauthorized')).id;
  }

  /** Refresh now, whatever the expiry (joins a refresh already running). */
  async refresh(): Promise<TokenSet> {
    await this.#ensureLoaded();
    return this.#refreshShared('forced');
  }

  /**
   * Replace the token set, e.g. with a new API token after {@link ReauthRequiredError}. Saves it
   * to the store even over a set that looks newer (a new API token may have been issued before
   * the old one's last refresh), and leaves the re-auth-required state. Other processes sharing
   * the store pick it up at their next refresh.
   */
  async setTokens(tokens: GeckoTokens): Promise<void> {
    const next = TokenSet.from(tokens);
    this.#assertOpen();
    // Before the save, which may wait for a file lock a running refresh holds: that refresh must
    // already know its result (or failure) is about a replaced set.
    this.#generation++;
    this.#fallback = undefined;
    this.#retryNotBefore = Number.NEGATIVE_INFINITY;
    try {
      await this.#options.store.save(next.toTokens(), { replace: true });
      this.#storeSeenId = next.id;
    } catch (error) {
      throw error instanceof GeckoAuthError
        ? error
        : new StoreError('Saving the new tokens failed.', { cause: error });
    }
    this.#reauth = undefined;
    this.#adopt(next, undefined);
  }

  /**
   * A GeckoForm client that authenticates with this instance's tokens. Cheap: make one per
   * incoming request and pass that request's `signal`.
   */
  client(options: GeckoClientOptions = {}): GeckoClient {
    // Spelled out rather than spread: adapters make one client per request.
    return new GeckoClient(this, {
      signal: options.signal,
      maxResponseBytes: options.maxResponseBytes,
      fetch: options.fetch ?? this.#options.fetch,
      timeout: options.timeout ?? this.#options.requestTimeout,
      retries: options.retries ?? this.#options.requestRetries,
    });
  }

  /** Stop: later calls fail with {@link ClosedError}. Does not close the store. */
  close(): void {
    this.#closed = true;
    this.#refreshAt = Number.NEGATIVE_INFINITY;
    this.#stopKeepAlive?.();
  }

  /** One keep-alive round: load on first run, refresh when due, report and back off on failure. */
  async #keepAlive(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#ensureLoaded();
      if (this.#options.clock.now() < this.#keepAliveDueAt) return;
      await this.#refreshShared('keep-alive');
    } catch (error) {
      const now = this.#options.clock.now();
      this.#keepAliveDueAt = this.#reauth === undefined ? now + this.#nextBackoff() : Infinity;
      this.#warnIfRefreshTokenExpiring(`refreshing keeps failing (${toGeckoError(error).code})`);
      throw error;
    }
  }

  /** Delay before the next background attempt after a failure: 5 s, doubling, at most 5 min. */
  #nextBackoff(): number {
    return Math.min(
      BACKGROUND_RETRY_MAX_MS,
      BACKGROUND_RETRY_BASE_MS * 2 ** this.#backgroundFailures++,
    );
  }

  async #resolveIdToken(): Promise<string> {
    await this.#ensureLoaded();
    const now = this.#options.clock.now();
    if (now < this.#refreshAt) return this.#idToken;

    if (now < this.#usableUntil) {
      if (this.#reauth === undefined) this.#refreshInBackground();
      return this.#idToken;
    }
    return (await this.#refreshShared('expired')).id;
  }

  #refreshInBackground(): void {
    // While it runs, callers take the fast path with the still-valid token.
    this.#refreshAt = this.#usableUntil;
    this.#refreshShared('proactive').catch(() => {
      // Already reported through the 'error' event. Back off so a dead endpoint is not hit on
      // every request, but try again well before the token expires.
      const retryAt = this.#options.clock.now() + this.#nextBackoff();
      this.#refreshAt = Math.min(retryAt, this.#usableUntil);
    });
  }

  #refreshShared(reason: RefreshReason): Promise<TokenSet> {
    if (this.#closed) return Promise.reject(new ClosedError());
    if (this.#reauth !== undefined) return this.#recoverFromStore(this.#reauth, reason);
    if (this.#options.clock.now() < this.#retryNotBefore && this.#lastFailure !== undefined) {
      // GeckoForm asked for a pause (Retry-After): fail fast instead of knocking again.
      return Promise.reject(this.#lastFailure);
    }

    this.#inflight ??= this.#runRefresh(reason).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * In re-auth-required, another process (or a restart) may have installed a new API token in
   * the shared store. Look, at most every few seconds; without news, fail fast as before.
   */
  async #recoverFromStore(reauth: ReauthRequiredError, reason: RefreshReason): Promise<TokenSet> {
    const now = this.#options.clock.now();
    if (now < this.#nextStoreProbe) throw reauth;

    this.#nextStoreProbe = now + REAUTH_STORE_PROBE_MS;
    const changed = await this.#storeChange(this.#requireCurrent());
    if (changed === undefined || this.#reauth !== reauth) throw reauth;

    this.#reauth = undefined;
    this.#generation++;
    this.#adopt(changed, undefined);
    if (!this.#isUsable(changed)) return this.#refreshShared(reason);

    this.emit('refresh', {
      reason,
      source: 'store',
      tokens: changed,
      idExpiresAt: new Date(changed.idExpiresAt),
    });
    return changed;
  }

  async #runRefresh(reason: RefreshReason): Promise<TokenSet> {
    const from = this.#requireCurrent();
    const generation = this.#generation;
    const controller = new AbortController();
    const timeoutMs = this.#options.refreshTimeout;
    const timer = setTimeout(() => controller.abort(new RefreshTimeoutError(timeoutMs)), timeoutMs);
    try {
      const outcome = await raceSignal(
        this.#refreshUnderLock(from, reason, controller.signal, Date.now() + timeoutMs, generation),
        controller.signal,
      );
      this.#assertOpen();
      // setTokens ran meanwhile: the set it installed wins over a refresh of the one it replaced.
      if (generation !== this.#generation) return this.#requireCurrent();

      this.#adopt(outcome.tokens, outcome.receivedAt);
      this.#backgroundFailures = 0;
      this.#retryNotBefore = Number.NEGATIVE_INFINITY;
      this.emit('refresh', {
        reason,
        source: outcome.source,
        tokens: outcome.tokens,
        idExpiresAt: new Date(outcome.tokens.idExpiresAt),
      });
      this.#warnIfRefreshTokenExpiring('it is not being renewed');
      return outcome.tokens;
    } catch (error) {
      if (generation !== this.#generation && !this.#closed) return this.#requireCurrent();

      const failure = toGeckoError(error);
      if (failure instanceof ReauthRequiredError && this.#fallback !== undefined) {
        return this.#switchToFallback(this.#fallback, reason);
      }
      if (failure instanceof ReauthRequiredError) this.#enterReauth(failure);
      else this.#recordFailure(failure, reason);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  #recordFailure(failure: GeckoAuthError, reason: RefreshReason): void {
    this.#lastFailure = failure;
    if (failure instanceof RefreshError && failure.retryAfterMs !== undefined) {
      const pause = Math.min(failure.retryAfterMs, BACKGROUND_RETRY_MAX_MS);
      this.#retryNotBefore = this.#options.clock.now() + pause;
    }
    this.emit('error', { error: failure, reason, retryInMs: undefined });
  }

  /** Warn (once per refresh token) when it expires within days: then no code can recover. */
  #warnIfRefreshTokenExpiring(why: string): void {
    const current = this.#current;
    const expiresAt = current?.refreshExpiresAt;
    if (current === undefined || expiresAt === undefined) return;
    if (expiresAt - this.#options.clock.now() >= REFRESH_TOKEN_WARNING_MS) return;
    if (this.#warnedAbout === current.refresh) return;

    this.#warnedAbout = current.refresh;
    this.emit('warning', {
      code: 'refresh-token-expiring',
      message:
        `The GeckoForm refresh token expires at ${new Date(expiresAt).toISOString()} and ${why}. ` +
        'After that a new API token must be created in GeckoForm.',
    });
  }

  /**
   * The chosen set's refresh token was refused; try the other candidate from load time once. Its
   * ID token is used as it is if still valid, else it is refreshed like any other set.
   */
  async #switchToFallback(fallback: TokenSet, reason: RefreshReason): Promise<TokenSet> {
    this.#fallback = undefined;
    this.#adopt(fallback, undefined);
    await this.#save(fallback, { replace: true });
    if (!this.#isUsable(fallback)) return this.#runRefresh(reason);

    this.emit('refresh', {
      reason,
      source: 'store',
      tokens: fallback,
      idExpiresAt: new Date(fallback.idExpiresAt),
    });
    return fallback;
  }

  async #refreshUnderLock(
    from: TokenSet,
    reason: RefreshReason,
    signal: AbortSignal,
    deadline: number,
    generation: number,
  ): Promise<Outcome> {
    const work = async (): Promise<Outcome> => {
      // While this one waited for the lock, another process may have refreshed, or an operator
      // may have put a new API token in the store: use that rather than refresh our own set.
      const changed = await this.#storeChange(from);
      if (changed !== undefined && this.#isUsable(changed)) {
        return { tokens: changed, receivedAt: undefined, source: 'store' };
      }
      const result = await callRefreshEndpoint(changed ?? from, {
        url: this.refreshUrl,
        method: this.#options.refreshMethod,
        fetch: this.#options.fetch,
        parse: this.#options.parseRefreshResponse,
        retries: this.#options.refreshRetries,
        now: () => this.#options.clock.now(),
        signal,
        deadline,
        onRetry: (error, delay) => this.emit('error', { error, reason, retryInMs: delay }),
      });
      // A set installed by setTokens meanwhile must not be overwritten in the shared store.
      if (generation === this.#generation) await this.#save(result.tokens);
      return { ...result, source: 'endpoint' };
    };

    const { store } = this.#options;
    if (store.lock === undefined) return work();
    try {
      return await store.lock(work, signal);
    } catch (error) {
      if (signal.aborted || !(error instanceof StoreError)) throw error;

      // The lock service is down. A second refresh somewhere in the fleet is harmless (GeckoForm
      // keeps the previous tokens valid); a fleet that cannot refresh at all is not.
      this.emit('error', { error, reason: 'lock', retryInMs: undefined });
      return work();
    }
  }

  /** The store's set, if it changed since this instance last read or wrote it. */
  async #storeChange(from: TokenSet): Promise<TokenSet | undefined> {
    try {
      const stored = await this.#loadStored();
      if (stored === undefined || stored.id === from.id || stored.id === this.#storeSeenId) {
        return undefined;
      }
      this.#storeSeenId = stored.id;
      return stored;
    } catch (error) {
      // An unreadable store must not stop the refresh itself; report it and go on.
      this.emit('error', { error: toGeckoError(error), reason: 'load', retryInMs: undefined });
      return undefined;
    }
  }

  /** Whether a set's ID token can still be sent, on our clock (with the expiry margin). */
  #isUsable(tokens: TokenSet): boolean {
    const remaining = tokens.idExpiresAt - this.#options.clock.now();
    return remaining > EXPIRY_MARGIN_MS;
  }

  /** Save refreshed tokens. A failed save is reported, but the new tokens are still used: the
   * previous ones stay valid at GeckoForm, so nothing is lost by going on. */
  async #save(tokens: TokenSet, options?: SaveOptions): Promise<void> {
    try {
      await this.#options.store.save(tokens.toTokens(), options);
      this.#storeSeenId = tokens.id;
    } catch (error) {
      const failure =
        error instanceof GeckoAuthError
          ? error
          : new StoreError('Saving refreshed tokens failed.', { cause: error });
      this.emit('error', { error: failure, reason: 'save', retryInMs: undefined });
    }
  }

  #ensureLoaded(): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError());
    if (this.#current !== undefined) return Promise.resolve();

    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  /** First use: the store wins over the constructor's tokens unless they are newer, so a
   * restarted process resumes with the tokens its last refresh saved. The other candidate is kept
   * as a fallback in case the chosen one turns out to be refused. */
  async #load(): Promise<void> {
    const stored = await this.#loadStored().catch((error: unknown) => {
      // With tokens to start from, an unreachable store must not fail requests: go on, and the
      // next refresh (which reads the store again) picks up whatever it holds.
      if (this.#initial === undefined) throw error;
      this.emit('error', { error: toGeckoError(error), reason: 'load', retryInMs: undefined });
      return undefined;
    });
    this.#storeSeenId = stored?.id;
    const initial = this.#initial;
    const chosen =
      stored !== undefined && initial !== undefined
        ? stored.isOlderThan(initial)
          ? initial
          : stored
        : (stored ?? initial);
    if (chosen === undefined) throw new TokensMissingError();

    const other = chosen === stored ? initial : stored;
    this.#fallback = other !== undefined && other.id !== chosen.id ? other : undefined;
    if (chosen !== stored) await this.#save(chosen);
    if (this.#current === undefined) this.#adopt(chosen, undefined);
  }

  async #loadStored(): Promise<TokenSet | undefined> {
    let raw: GeckoTokens | undefined;
    const timeout = AbortSignal.timeout(this.#options.refreshTimeout);
    try {
      raw = await raceSignal(this.#options.store.load(), timeout);
    } catch (error) {
      if (error instanceof GeckoAuthError) throw error;
      if (timeout.aborted) {
        throw new StoreError(
          `Loading tokens from the store did not finish within ${this.#options.refreshTimeout} ms.`,
        );
      }
      throw new StoreError('Loading tokens from the store failed.', { cause: error });
    }
    if (raw === undefined) return undefined;

    try {
      return TokenSet.from(raw);
    } catch (error) {
      throw new StoreError('The store holds malformed tokens.', { cause: error });
    }
  }

  /**
   * Make `tokens` current and compute the deadlines the hot path compares against. When the
   * token says when it was issued and we know when it arrived, its remaining life is measured on
   * our own clock, which cancels any skew between our clock and GeckoForm's.
   */
  #adopt(tokens: TokenSet, receivedAt: number | undefined): void {
    const now = this.#options.clock.now();
    const lifetime =
      tokens.idIssuedAt === undefined ? undefined : tokens.idExpiresAt - tokens.idIssuedAt;
    const expiresAt =
      receivedAt !== undefined && lifetime !== undefined
        ? receivedAt + lifetime
        : tokens.idExpiresAt;
    const span = Math.max(0, lifetime ?? expiresAt - now);

    this.#current = tokens;
    this.#idToken = tokens.id;
    this.#obtainedAt = receivedAt ?? Number.NEGATIVE_INFINITY;
    this.#usableUntil = expiresAt - Math.min(EXPIRY_MARGIN_MS, span / 10);
    this.#refreshAt = this.#closed
      ? Number.NEGATIVE_INFINITY
      : expiresAt - Math.min(this.#options.refreshWindow, span / 2);

    // Keep-alive refreshes somewhere in the first half of the refresh window (jittered, so a fleet
    // started together does not refresh in lockstep), and always before the refresh token lapses.
    const jitter = Math.random() * Math.max(0, this.#usableUntil - this.#refreshAt) * 0.5;
    // A refresh token already inside its last margin is not renewed by refreshing again (a server
    // that keeps the old one): then only the ID token's schedule counts.
    const refreshTokenDeadline = (tokens.refreshExpiresAt ?? Infinity) - REFRESH_TOKEN_MARGIN_MS;
    this.#keepAliveDueAt = Math.min(
      this.#refreshAt + jitter,
      refreshTokenDeadline > now ? refreshTokenDeadline : Infinity,
    );
  }

  #enterReauth(error: ReauthRequiredError): void {
    this.#reauth = error;
    this.#keepAliveDueAt = Infinity;
    // The current ID token still works until it expires; after that every call fails fast.
    this.#refreshAt = Math.min(this.#refreshAt, this.#usableUntil);
    this.emit('reauth-required', { error });
  }

  #requireCurrent(): TokenSet {
    if (this.#current === undefined) throw new TokensMissingError();
    return this.#current;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError();
  }

  toJSON(): Record<string, unknown> {
    return {
      apiUrl: this.apiUrl,
      refreshUrl: this.refreshUrl,
      status: this.status,
      tokens: this.#current?.toJSON(),
    };
  }

  [redactedInspect](): string {
    return `GeckoAuth ${JSON.stringify(this.toJSON())}`;
  }
}

function toGeckoError(error: unknown): GeckoAuthError {
  if (error instanceof GeckoAuthError) return error;
  return new StoreError('Token refresh failed unexpectedly.', { cause: error });
}

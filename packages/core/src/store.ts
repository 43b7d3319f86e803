import type { GeckoTokens } from './tokens.js';

/**
 * Where a token set lives between refreshes and restarts. GeckoForm replaces all three tokens on
 * every refresh: a store that outlives the process is what keeps an application from being
 * locked out once the first refresh token expires.
 *
 * A store for a secret manager fits in a page:
 * @example
 * ```ts
 * const store: TokenStore = {
 *   async load() { return JSON.parse((await vault.read('gecko')) ?? 'null') ?? undefined },
 *   async save(tokens) { await vault.write('gecko', JSON.stringify(tokens)) },
 * };
 * ```
 */
export interface TokenStore {
  /** The newest saved tokens, or `undefined` when none are saved yet. */
  load(): Promise<GeckoTokens | undefined>;
  /**
   * Persist the tokens a refresh returned, before they are used. A store shared by several
   * processes should refuse to replace newer tokens with older ones — unless `options.replace` is
   * set: then an operator is installing a new API token, which may be older than the last
   * refresh of the one it replaces, and it must be written.
   */
  save(tokens: GeckoTokens, options?: SaveOptions): Promise<void>;
  /**
   * Optional: run `work` while holding a lock shared with every other process using this store,
   * so one of them refreshes and the others load its result. `signal` aborts the wait.
   */
  lock?<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T>;
}

/** Options of {@link TokenStore.save}. */
export interface SaveOptions {
  /** Write even if the stored set looks newer (a new API token replaces the old chain). */
  replace?: boolean;
}

/**
 * The default store: keeps tokens in this process only. Tokens refreshed here are lost on restart;
 * use a file or Redis store for anything that runs longer than the refresh token lives.
 */
export class MemoryStore implements TokenStore {
  #tokens: GeckoTokens | undefined;

  constructor(initial?: GeckoTokens) {
    this.#tokens = initial === undefined ? undefined : { ...initial };
  }

  async load(): Promise<GeckoTokens | undefined> {
    return this.#tokens === undefined ? undefined : { ...this.#tokens };
  }

  /** Keeps `tokens`. One process, one writer: nothing to compare, so `replace` changes nothing. */
  async save(tokens: GeckoTokens, _options?: SaveOptions): Promise<void> {
    this.#tokens = { ...tokens };
  }
}

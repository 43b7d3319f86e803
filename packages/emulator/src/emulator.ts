import { createAccountHandler, REFRESH_PATH } from './account-server.js';
import { createApiHandler } from './api-server.js';
import { createClock } from './clock.js';
import { FaultQueue, validateFault, type FaultTarget } from './faults.js';
import { FormStore } from './forms.js';
import { listen, type RunningServer } from './http.js';
import { checkIssueOptions, resolveOptions } from './options.js';
import { createStats, resetStats } from './stats.js';
import { TokenAuthority } from './tokens.js';
import type * as T from './types.js';

// A reserved `.invalid` host: looks like GeckoForm's account API, can never be mistaken for it.
const ISSUER = 'https://account-api.geckoengage.invalid';

/**
 * A running emulator: an account server (the refresh endpoint) and a regional API server.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * const tokens = await emulator.issueTokens();
 * const res = await fetch(`${emulator.apiUrl}/forms`, {
 *   headers: { authorization: `Bearer ${tokens.id}` },
 * });
 * await emulator.close();
 * ```
 */
export interface Emulator {
  /** Origin of the account server, e.g. `'http://127.0.0.1:41234'`. */
  readonly accountUrl: string;
  /** `${accountUrl}/tokens/refresh`: pass it to the client as its refresh URL. */
  readonly refreshUrl: string;
  /** Origin of the regional API server, e.g. `'http://127.0.0.1:41235'`. */
  readonly apiUrl: string;
  /** The emulated clock all token times come from. */
  readonly clock: T.EmulatorClock;
  /** Live counters and the request log. */
  readonly stats: T.EmulatorStats;
  /** Mints a fresh triple, as a person creating an API token in GeckoForm would get. */
  issueTokens(options?: T.IssueTokensOptions): Promise<T.TokenTriple>;
  /** Revokes a token (as deleting the API token would); later uses of it get 401. */
  revoke(refreshToken: string): void;
  /** Queues a fault for the next matching request(s) of `target`. */
  fault(target: FaultTarget, fault: T.Fault): void;
  /** Drops every queued fault of both targets. */
  clearFaults(): void;
  /** Zeroes the counters and empties the request log, in place. */
  resetStats(): void;
  /** Closes both servers and destroys open sockets, hung ones included. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a local GeckoForm look-alike on two free ports (or the ports given).
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ idTokenTtl: 60 });
 * const { refresh } = await emulator.issueTokens();
 * await fetch(emulator.refreshUrl, { headers: { authorization: `Bearer ${refresh}` } });
 * await emulator.close();
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export async function startEmulator(options?: T.EmulatorOptions): Promise<Emulator> {
  const opts = resolveOptions(options);
  const clock = createClock(opts.startTime);
  const stats = createStats();
  const faults = { refresh: new FaultQueue(), api: new FaultQueue() };
  const lifetimes = { idTokenTtl: opts.idTokenTtl, refreshTokenTtl: opts.refreshTokenTtl };
  const tokens = await TokenAuthority.create(ISSUER, clock, lifetimes);
  const shutdown = new AbortController();
  const shared = { tokens, stats, clock, signal: shutdown.signal };

  const accountHandler = createAccountHandler({
    ...shared,
    faults: faults.refresh,
    shape: opts.refreshResponseShape,
    idTokenTtl: opts.idTokenTtl,
  });
  const apiHandler = createApiHandler({
    ...shared,
    faults: faults.api,
    forms: new FormStore(opts.forms),
  });

  const account = await listen(accountHandler, opts.host, opts.accountPort);
  let api: RunningServer;
  try {
    api = await listen(apiHandler, opts.host, opts.apiPort);
  } catch (error) {
    await account.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    accountUrl: account.url,
    refreshUrl: `${account.url}${REFRESH_PATH}`,
    apiUrl: api.url,
    clock,
    stats,
    // Async so a bad option rejects the promise rather than throwing at the call site.
    async issueTokens(issueOptions = {}) {
      checkIssueOptions(issueOptions);
      return tokens.issue(issueOptions);
    },
    revoke: (token) => tokens.revoke(token),
    fault(target, fault) {
      const checked = validateFault(target, fault);
      faults[target].push(checked);
    },
    clearFaults() {
      faults.refresh.clear();
      faults.api.clear();
    },
    resetStats: () => resetStats(stats),
    close() {
      shutdown.abort();
      closing ??= Promise.all([account.close(), api.close()]).then(() => undefined);
      return closing;
    },
  };
}

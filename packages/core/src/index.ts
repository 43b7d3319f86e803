/**
 * @packageDocumentation
 * Keeps GeckoForm API tokens valid and puts an authenticated GeckoForm client where code needs
 * it. This entry uses only `fetch` and Web APIs: it runs on Node, Bun, Deno and edge runtimes.
 */
export {
  isGeckoAuth,
  prepareAdapter,
  type AdapterOptions,
  type PreparedAdapter,
} from './adapters/options.js';
export { GeckoAuth, type GeckoAuthStatus } from './auth.js';
export {
  GeckoClient,
  type GeckoClientOptions,
  type GeckoResponse,
  type Query,
  type RequestOptions,
  type TokenSource,
} from './client.js';
export type { PaginateOptions } from './paginate.js';
export * from './errors.js';
export type {
  ErrorEvent,
  GeckoAuthEvents,
  RefreshEvent,
  RefreshReason,
  WarningCode,
  WarningEvent,
} from './events.js';
export {
  DEFAULT_REFRESH_RETRIES,
  DEFAULT_REFRESH_TIMEOUT_MS,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_REQUEST_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type Clock,
  type GeckoAuthOptions,
} from './options.js';
export { parseRefreshResponse, type RefreshResponseParser } from './refresh-response.js';
export { redactSecrets } from './redact.js';
export { MemoryStore, type SaveOptions, type TokenStore } from './store.js';
export { TokenSet, type GeckoTokens } from './tokens.js';
export { DEFAULT_REFRESH_URL, isLoopbackHost, regionApiUrl } from './urls.js';

import type { GeckoAuthError, ReauthRequiredError } from './errors.js';
import type { TokenSet } from './tokens.js';

/** Why a refresh ran. */
export type RefreshReason = 'proactive' | 'expired' | 'unauthorized' | 'forced' | 'keep-alive';

/** Emitted after every successful refresh, once the new tokens are saved and in use. */
export interface RefreshEvent {
  reason: RefreshReason;
  /** `endpoint`: this process called GeckoForm. `store`: another process's refresh was picked up. */
  source: 'endpoint' | 'store';
  /** The new token set; prints without its secrets. */
  tokens: TokenSet;
  idExpiresAt: Date;
}

/** Emitted for a failure that gecko-auth handled or will retry; never carries a token. */
export interface ErrorEvent {
  error: GeckoAuthError;
  /** What was running: a refresh (by reason), or loading, saving or locking the store. */
  reason: RefreshReason | 'load' | 'save' | 'lock';
  /** Set when another attempt follows after this many ms. */
  retryInMs: number | undefined;
}

/** Codes of {@link WarningEvent}s. */
export type WarningCode = 'insecure-http' | 'refresh-token-expiring';

/** Something the operator should know about, though nothing has failed yet. */
export interface WarningEvent {
  code: WarningCode;
  message: string;
}

/** Events of a {@link GeckoAuth} instance and their payloads. */
export interface GeckoAuthEvents {
  refresh: RefreshEvent;
  error: ErrorEvent;
  /** GeckoForm refused the refresh token: a person must create a new API token. */
  'reauth-required': { error: ReauthRequiredError };
  warning: WarningEvent;
}

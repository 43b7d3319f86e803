import { REFRESH_RESPONSE_SHAPES } from './refresh-shape.js';
import type { EmulatorOptions, IssueTokensOptions, RefreshResponseShape } from './types.js';

/** Options with every default filled in. */
export interface ResolvedOptions {
  host: string;
  accountPort: number;
  apiPort: number;
  idTokenTtl: number;
  refreshTokenTtl: number;
  startTime: number;
  forms: number;
  refreshResponseShape: RefreshResponseShape;
}

// GeckoForm's documented lifetimes: about a day for ID/access tokens, 30 days for refresh.
const DAY_SECONDS = 86_400;
const DEFAULT_REFRESH_TTL_DAYS = 30;
const DEFAULT_FORMS = 137;
// Enough for any pagination test; more would only slow start-up.
const MAX_FORMS = 100_000;

/** Fills defaults and throws a `TypeError` naming the first bad option. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? '127.0.0.1',
    accountPort: options.accountPort ?? 0,
    apiPort: options.apiPort ?? 0,
    idTokenTtl: options.idTokenTtl ?? DAY_SECONDS,
    refreshTokenTtl: options.refreshTokenTtl ?? DEFAULT_REFRESH_TTL_DAYS * DAY_SECONDS,
    startTime: options.startTime ?? Date.now(),
    forms: options.forms ?? DEFAULT_FORMS,
    refreshResponseShape: options.refreshResponseShape ?? 'pascal',
  };

  if (typeof resolved.host !== 'string' || resolved.host === '') {
    throw new TypeError('options.host must be a non-empty string');
  }
  checkPort('accountPort', resolved.accountPort);
  checkPort('apiPort', resolved.apiPort);
  checkTtls(resolved, 'options');
  if (!Number.isFinite(resolved.startTime)) {
    throw new TypeError('options.startTime must be a finite epoch in milliseconds');
  }
  if (!Number.isInteger(resolved.forms) || resolved.forms < 0 || resolved.forms > MAX_FORMS) {
    throw new TypeError(`options.forms must be an integer from 0 to ${MAX_FORMS}`);
  }
  if (!REFRESH_RESPONSE_SHAPES.includes(resolved.refreshResponseShape)) {
    const allowed = REFRESH_RESPONSE_SHAPES.join(', ');
    throw new TypeError(`options.refreshResponseShape must be one of: ${allowed}`);
  }
  return resolved;
}

/** Checks the overrides given to `issueTokens`. */
export function checkIssueOptions(options: IssueTokensOptions): void {
  checkTtls(options, 'issueTokens options');
  if (options.subject !== undefined && (typeof options.subject !== 'string' || !options.subject)) {
    throw new TypeError('issueTokens options.subject must be a non-empty string');
  }
}

function checkTtls(ttls: { idTokenTtl?: number; refreshTokenTtl?: number }, owner: string) {
  for (const name of ['idTokenTtl', 'refreshTokenTtl'] as const) {
    const value = ttls[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new TypeError(`${owner}.${name} must be a positive integer number of seconds`);
    }
  }
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`options.${name} must be an integer port from 0 to 65535`);
  }
}

import type { GeckoAuth } from '../auth.js';
import type { GeckoClientOptions } from '../client.js';
import { MAX_TIMER_MS } from '../retry.js';

/**
 * Options shared by the framework adapters (`@gecko-auth/express`, `koa`, `hono`). `Input` is
 * what the framework hands a middleware: Express's `req`, Koa's `ctx`, Hono's `c`.
 */
export interface AdapterOptions<Input> {
  /** The GeckoAuth to use, or a function choosing one per request (e.g. one per customer). */
  auth: GeckoAuth | ((input: Input) => GeckoAuth | Promise<GeckoAuth>);
  /** Get a valid ID token before the route runs, failing through the framework's error path. */
  requireToken?: boolean;
  /** Timeout of each GeckoForm call, in ms. Default: the GeckoAuth's `requestTimeout`. */
  timeout?: number;
}

/** Validated adapter options, ready for the per-request path. */
export interface PreparedAdapter<Input> {
  /** The GeckoAuth for this request: the fixed one, or the resolver's answer, checked. */
  authFor(input: Input): GeckoAuth | Promise<GeckoAuth>;
  requireToken: boolean;
  /** Only the client options the user set: an `undefined` key would hide the auth's defaults. */
  clientOptions: Pick<GeckoClientOptions, 'timeout'>;
}

/**
 * Validate an adapter's options once, at middleware creation, failing with a TypeError naming the
 * option. For adapter authors; applications use the adapters.
 *
 * @example
 * ```ts
 * const { authFor, requireToken, clientOptions } = prepareAdapter(options);
 * ```
 */
export function prepareAdapter<Input>(options: AdapterOptions<Input>): PreparedAdapter<Input> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('geckoAuth() needs an options object with `auth`.');
  }
  const { auth, requireToken = false, timeout } = options;
  if (typeof auth !== 'function' && !isGeckoAuth(auth)) {
    throw new TypeError('`auth` must be a GeckoAuth or a function that returns one per request.');
  }
  if (typeof requireToken !== 'boolean') throw new TypeError('`requireToken` must be a boolean.');
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout >= 1 && timeout <= MAX_TIMER_MS))
  ) {
    throw new TypeError(`\`timeout\` must be a number of milliseconds from 1 to ${MAX_TIMER_MS}.`);
  }

  const clientOptions = timeout === undefined ? {} : { timeout };
  if (typeof auth !== 'function') return { authFor: () => auth, requireToken, clientOptions };

  return { authFor: (input) => checkResolved(auth(input)), requireToken, clientOptions };
}

async function checkResolved(pending: GeckoAuth | Promise<GeckoAuth>): Promise<GeckoAuth> {
  const auth = await pending;
  if (!isGeckoAuth(auth)) {
    throw new TypeError('The `auth` function of geckoAuth() must return a GeckoAuth instance.');
  }
  return auth;
}

/**
 * True for a GeckoAuth, including one from a second copy of `@gecko-auth/core` (duck-typed, so
 * two installed versions still work together).
 */
export function isGeckoAuth(value: unknown): value is GeckoAuth {
  return (
    typeof value === 'object' &&
    value !== null &&
    'client' in value &&
    typeof value.client === 'function' &&
    'getIdToken' in value &&
    typeof value.getIdToken === 'function'
  );
}

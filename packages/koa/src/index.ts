/**
 * @packageDocumentation
 * Koa middleware that puts a GeckoForm client on `ctx.state.gecko`. All token logic lives in
 * `@gecko-auth/core`; this package ties a client to each incoming request.
 */
import type { ServerResponse } from 'node:http';

import type { GeckoAuth, GeckoClient, GeckoClientOptions } from '@gecko-auth/core';
import type { Context, Middleware } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /**
     * A GeckoForm client for this request, set by `geckoAuth()`. Its calls are aborted when the
     * caller hangs up before the response is sent.
     */
    gecko: GeckoClient;
  }
}

/**
 * The state `geckoAuth()` adds, for apps that type their own state: `new Koa<MyState &
 * GeckoState>()`. Apps on Koa's default state get `ctx.state.gecko` typed without it.
 *
 * @example
 * ```ts
 * const app = new Koa<GeckoState & { user: User }>();
 * ```
 */
export interface GeckoState {
  gecko: GeckoClient;
}

/**
 * Picks the {@link GeckoAuth} (one GeckoForm API token) for a request, e.g. by tenant.
 *
 * @example
 * ```ts
 * const byTenant: GeckoAuthResolver = (ctx) => tenants.get(ctx.get('x-tenant')) ?? fallback;
 * ```
 */
export type GeckoAuthResolver = (ctx: Context) => GeckoAuth | Promise<GeckoAuth>;

/**
 * Options of {@link geckoAuth}.
 *
 * @example
 * ```ts
 * const options: GeckoKoaOptions = { auth, requireToken: true, timeout: 10_000 };
 * ```
 */
export interface GeckoKoaOptions {
  /** The GeckoAuth to use, or a function choosing one per request (one per customer). */
  auth: GeckoAuth | GeckoAuthResolver;
  /**
   * Get a valid ID token before the next middleware runs. A failure is thrown as a 503 error
   * (`expose: false`) whose `cause` is the gecko-auth error, e.g. `ReauthRequiredError`.
   * Default `false`: no token work until the route calls GeckoForm.
   */
  requireToken?: boolean;
  /** Timeout of each GeckoForm call, in ms. Default: the GeckoAuth's `requestTimeout`. */
  timeout?: number;
}

/**
 * Middleware that puts a GeckoForm client on `ctx.state.gecko`. The client is built on first use,
 * so a route that never calls GeckoForm costs no token work and no network.
 *
 * @throws {TypeError} for an invalid option, naming it.
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(geckoAuth({ auth: new GeckoAuth({ region: 'eu', tokens }) }));
 * app.use(async (ctx) => {
 *   ctx.body = await ctx.state.gecko.get('/forms', { query: { per_page: 15 } });
 * });
 * ```
 */
export function geckoAuth(options: GeckoKoaOptions): Middleware<GeckoState> {
  const { auth, requireToken, clientOptions } = validateOptions(options);

  return async (ctx, next) => {
    const owner = typeof auth === 'function' ? await resolveAuth(auth, ctx) : auth;
    defineLazyClient(ctx.state, ctx.res, owner, clientOptions);

    if (requireToken) {
      try {
        await owner.getIdToken();
      } catch (error) {
        // GeckoForm being unusable is this server's problem, not the caller's: 503, message
        // hidden. Koa's own `err.status` convention must not see the upstream status (a refused
        // refresh token is a 401 from GeckoForm, not from us).
        ctx.throw(503, error instanceof Error ? error.message : String(error), { cause: error });
      }
    }
    await next();
  };
}

/**
 * Make `state.gecko` a getter that builds the client on first access and then keeps it. One
 * closure per request; the client, its signal and the close listener come only with the first
 * use. Not enumerable, so views that spread `ctx.state` never build a client.
 */
function defineLazyClient(
  state: GeckoState,
  res: ServerResponse,
  auth: GeckoAuth,
  clientOptions: ClientOptions,
): void {
  Object.defineProperty(state, 'gecko', {
    get: () => keepClient(state, auth.client({ ...clientOptions, signal: hangUpSignal(res) })),
    set: setClient,
    enumerable: false,
    configurable: true,
  });
}

// Assigning replaces the client (e.g. with a test double) instead of throwing in strict mode.
function setClient(this: GeckoState, client: GeckoClient): void {
  keepClient(this, client);
}

function keepClient(state: GeckoState, client: GeckoClient): GeckoClient {
  Object.defineProperty(state, 'gecko', {
    value: client,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return client;
}

const HUNG_UP = 'The client closed the connection before the response was sent.';

/**
 * A signal that aborts when the caller hangs up before the response is finished. Undefined once
 * the response is sent: work started after that belongs to no caller.
 */
function hangUpSignal(res: ServerResponse): AbortSignal | undefined {
  if (res.writableFinished) return undefined;
  if (res.destroyed) return AbortSignal.abort(new Error(HUNG_UP));

  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error(HUNG_UP));
  });
  return controller.signal;
}

async function resolveAuth(resolve: GeckoAuthResolver, ctx: Context): Promise<GeckoAuth> {
  const auth = await resolve(ctx);
  if (!isGeckoAuth(auth)) {
    throw new TypeError('The `auth` function of geckoAuth() must return a GeckoAuth instance.');
  }
  return auth;
}

// Duck-typed so a GeckoAuth from a second copy of @gecko-auth/core is accepted too.
function isGeckoAuth(value: unknown): value is GeckoAuth {
  return (
    typeof value === 'object' &&
    value !== null &&
    'client' in value &&
    typeof value.client === 'function' &&
    'getIdToken' in value &&
    typeof value.getIdToken === 'function'
  );
}

/** Only the keys the user set: an `undefined` key would override the GeckoAuth's defaults. */
type ClientOptions = Pick<GeckoClientOptions, 'timeout'>;

interface Resolved {
  auth: GeckoAuth | GeckoAuthResolver;
  requireToken: boolean;
  clientOptions: ClientOptions;
}

function validateOptions(options: GeckoKoaOptions): Resolved {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('geckoAuth() needs an options object with `auth`.');
  }

  const { auth, requireToken = false, timeout } = options;
  if (typeof auth !== 'function' && !isGeckoAuth(auth)) {
    throw new TypeError('`auth` must be a GeckoAuth or a function that returns one per request.');
  }
  if (typeof requireToken !== 'boolean') throw new TypeError('`requireToken` must be a boolean.');
  if (timeout === undefined) return { auth, requireToken, clientOptions: {} };

  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 1) {
    throw new TypeError('`timeout` must be a finite number of milliseconds ≥ 1.');
  }
  return { auth, requireToken, clientOptions: { timeout } };
}

/**
 * @packageDocumentation
 * Koa middleware that puts a GeckoForm client on `ctx.state.gecko`. All token logic lives in
 * `@gecko-auth/core`; this package ties a client to each incoming request.
 */
import {
  prepareAdapter,
  type AdapterOptions,
  type GeckoAuth,
  type GeckoClient,
} from '@gecko-auth/core';
import { defineRequestClient } from '@gecko-auth/core/node';
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
export interface GeckoKoaOptions extends AdapterOptions<Context> {
  /** The GeckoAuth to use, or a function choosing one per request (one per customer). */
  auth: GeckoAuth | GeckoAuthResolver;
  /**
   * Get a valid ID token before the next middleware runs. A failure is thrown as a 503 error
   * (`expose: false`) whose `cause` is the gecko-auth error, e.g. `ReauthRequiredError`.
   * Default `false`: no token work until the route calls GeckoForm.
   */
  requireToken?: boolean;
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
  const { authFor, requireToken, clientOptions } = prepareAdapter(options);

  return async (ctx, next) => {
    const chosen = authFor(ctx);
    const auth = 'then' in chosen ? await chosen : chosen;
    defineRequestClient(ctx.state, ctx.res, auth, clientOptions);

    if (requireToken) {
      try {
        await auth.getIdToken();
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

/**
 * @packageDocumentation
 * Hono middleware that puts a GeckoForm client on `c.var.gecko`. Runs wherever Hono runs (Node,
 * Bun, Deno, edge runtimes): it uses only Web APIs and the node-free main entry of
 * `@gecko-auth/core`, where all token logic lives.
 */
import {
  prepareAdapter,
  type AdapterOptions,
  type GeckoAuth,
  type GeckoClient,
} from '@gecko-auth/core';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';

/**
 * The variables `geckoAuth()` sets, for typing an app or a sub-app explicitly.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: GeckoVariables }>();
 * ```
 */
export interface GeckoVariables {
  /**
   * A GeckoForm client for this request. Its calls are aborted when the request's signal aborts
   * (the caller hung up).
   */
  gecko: GeckoClient;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** A GeckoForm client for this request, set by `geckoAuth()`. */
    gecko: GeckoClient;
  }
}

/**
 * Picks the {@link GeckoAuth} (one GeckoForm API token) for a request, e.g. by tenant.
 *
 * @example
 * ```ts
 * const byTenant: GeckoAuthResolver = (c) => tenants.get(c.req.header('x-tenant') ?? '') ?? fallback;
 * ```
 */
export type GeckoAuthResolver = (c: Context) => GeckoAuth | Promise<GeckoAuth>;

/**
 * Options of {@link geckoAuth}.
 *
 * @example
 * ```ts
 * const options: GeckoHonoOptions = { auth, requireToken: true, timeout: 10_000 };
 * ```
 */
export interface GeckoHonoOptions extends AdapterOptions<Context> {
  /** The GeckoAuth to use, or a function choosing one per request (one per customer). */
  auth: GeckoAuth | GeckoAuthResolver;
  /**
   * Get a valid ID token before the handler runs. A failure is thrown as an `HTTPException` 503
   * whose `cause` is the gecko-auth error, e.g. `ReauthRequiredError`. Default `false`: no token
   * work until the handler calls GeckoForm.
   */
  requireToken?: boolean;
}

/**
 * Middleware that puts a GeckoForm client on `c.var.gecko`, tied to `c.req.raw.signal`. Setting it
 * costs one small object: no token work and no network unless the handler calls GeckoForm.
 *
 * @throws {TypeError} for an invalid option, naming it.
 * @example
 * ```ts
 * const app = new Hono();
 * app.use(geckoAuth({ auth: new GeckoAuth({ region: 'eu', tokens }) }));
 * app.get('/forms', async (c) => {
 *   return c.json(await c.var.gecko.get('/forms', { query: { per_page: 15 } }));
 * });
 * ```
 */
export function geckoAuth(
  options: GeckoHonoOptions,
): MiddlewareHandler<{ Variables: GeckoVariables }> {
  const { authFor, requireToken, clientOptions } = prepareAdapter(options);

  return createMiddleware<{ Variables: GeckoVariables }>(async (c, next) => {
    const chosen = authFor(c);
    const auth = 'then' in chosen ? await chosen : chosen;
    // The signal is read at the first GeckoForm call: on @hono/node-server, reading
    // `c.req.raw.signal` builds a Request and an AbortController, which routes that never call
    // GeckoForm should not pay for.
    c.set('gecko', auth.client({ ...clientOptions, signal: () => c.req.raw.signal }));

    if (requireToken) {
      try {
        await auth.getIdToken();
      } catch (error) {
        // GeckoForm being unusable is this server's problem, not the caller's: 503, with a
        // message that tells the caller nothing about our credentials.
        throw new HTTPException(503, { message: 'GeckoForm is unavailable.', cause: error });
      }
    }
    await next();
  });
}

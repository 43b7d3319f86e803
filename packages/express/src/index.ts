/**
 * @packageDocumentation
 * Express middleware that puts a GeckoForm client on `req.gecko`. All token logic lives in
 * `@gecko-auth/core`; this package ties a client to each incoming request.
 */
import {
  prepareAdapter,
  type AdapterOptions,
  type GeckoAuth,
  type GeckoClient,
} from '@gecko-auth/core';
import { defineRequestClient } from '@gecko-auth/core/node';
import type { Request, RequestHandler } from 'express';

declare global {
  // Express types its request through this global namespace; augmenting it is the only way to
  // give every handler a typed `req.gecko`.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * A GeckoForm client for this request, set by `geckoAuth()`. Its calls are aborted when the
       * caller hangs up before the response is sent.
       */
      gecko: GeckoClient;
    }
  }
}

/**
 * Picks the {@link GeckoAuth} (one GeckoForm API token) for a request, e.g. by tenant.
 *
 * @example
 * ```ts
 * const byTenant: GeckoAuthResolver = (req) => tenants.get(req.get('x-tenant') ?? '') ?? fallback;
 * ```
 */
export type GeckoAuthResolver = (req: Request) => GeckoAuth | Promise<GeckoAuth>;

/**
 * Options of {@link geckoAuth}.
 *
 * @example
 * ```ts
 * const options: GeckoExpressOptions = { auth, requireToken: true, timeout: 10_000 };
 * ```
 */
export interface GeckoExpressOptions extends AdapterOptions<Request> {
  /** The GeckoAuth to use, or a function choosing one per request (one per customer). */
  auth: GeckoAuth | GeckoAuthResolver;
  /**
   * Get a valid ID token before the route runs, and pass failures (e.g. `ReauthRequiredError`)
   * to `next(err)` instead. Default `false`: no token work until the route calls GeckoForm.
   */
  requireToken?: boolean;
}

/**
 * Middleware that puts a GeckoForm client on `req.gecko`. The client is built on first use, so a
 * route that never calls GeckoForm costs no token work and no network.
 *
 * @throws {TypeError} for an invalid option, naming it.
 * @example
 * ```ts
 * const app = express();
 * app.use(geckoAuth({ auth: new GeckoAuth({ region: 'eu', tokens }) }));
 * app.get('/forms', async (req, res) => {
 *   res.json(await req.gecko.get('/forms', { query: { per_page: 15 } }));
 * });
 * ```
 */
export function geckoAuth(options: GeckoExpressOptions): RequestHandler {
  const { authFor, requireToken, clientOptions } = prepareAdapter(options);

  return (req, res, next) => {
    const attach = (auth: GeckoAuth): void => {
      defineRequestClient(req, res, auth, clientOptions);
      if (!requireToken) return next();

      auth.getIdToken().then(() => next(), next);
    };

    const auth = authFor(req);
    if ('then' in auth) auth.then(attach, next);
    else attach(auth);
  };
}

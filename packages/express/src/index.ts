/**
 * @packageDocumentation
 * Express middleware that puts a GeckoForm client on `req.gecko`. All token logic lives in
 * `@gecko-auth/core`; this package ties a client to each incoming request.
 */
import type { ServerResponse } from 'node:http';

import type { GeckoAuth, GeckoClient, GeckoClientOptions } from '@gecko-auth/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

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
export interface GeckoExpressOptions {
  /** The GeckoAuth to use, or a function choosing one per request (one per customer). */
  auth: GeckoAuth | GeckoAuthResolver;
  /**
   * Get a valid ID token before the route runs, and pass failures (e.g. `ReauthRequiredError`)
   * to `next(err)` instead. Default `false`: no token work until the route calls GeckoForm.
   */
  requireToken?: boolean;
  /** Timeout of each GeckoForm call, in ms. Default: the GeckoAuth's `requestTimeout`. */
  timeout?: number;
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
  const { auth, requireToken, clientOptions } = validateOptions(options);

  const attach = (req: Request, res: Response, next: NextFunction, owner: GeckoAuth): void => {
    defineLazyClient(req, res, owner, clientOptions);
    if (!requireToken) return next();

    owner.getIdToken().then(
      () => next(),
      (error: unknown) => next(error),
    );
  };

  if (typeof auth !== 'function') return (req, res, next) => attach(req, res, next, auth);

  return (req, res, next) => {
    resolveAuth(auth, req).then(
      (owner) => attach(req, res, next, owner),
      (error: unknown) => next(error),
    );
  };
}

/**
 * Make `req.gecko` a getter that builds the client on first access and then keeps it. One closure
 * per request; the client, its signal and the close listener come only with the first use. Not
 * enumerable, so copying or logging `req` never builds a client.
 */
function defineLazyClient(
  req: Request,
  res: Response,
  auth: GeckoAuth,
  clientOptions: ClientOptions,
): void {
  Object.defineProperty(req, 'gecko', {
    get: () => keepClient(req, auth.client({ ...clientOptions, signal: hangUpSignal(res) })),
    set: setClient,
    enumerable: false,
    configurable: true,
  });
}

// Assigning replaces the client (e.g. with a test double) instead of throwing in strict mode.
function setClient(this: Request, client: GeckoClient): void {
  keepClient(this, client);
}

function keepClient(req: Request, client: GeckoClient): GeckoClient {
  Object.defineProperty(req, 'gecko', {
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

async function resolveAuth(resolve: GeckoAuthResolver, req: Request): Promise<GeckoAuth> {
  const auth = await resolve(req);
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

function validateOptions(options: GeckoExpressOptions): Resolved {
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

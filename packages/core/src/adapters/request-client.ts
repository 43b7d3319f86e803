import type { ServerResponse } from 'node:http';

import type { GeckoAuth } from '../auth.js';
import type { GeckoClient, GeckoClientOptions } from '../client.js';

const HUNG_UP = 'The client closed the connection before the response was sent.';

/** Where the lazy `gecko` accessor finds its request's auth, response and client. */
const STATE = Symbol('gecko-auth.request-client');

interface RequestClientState {
  auth: GeckoAuth;
  res: ServerResponse;
  options: GeckoClientOptions;
  client: GeckoClient | undefined;
}

type Target = { [STATE]?: RequestClientState };

/**
 * One accessor pair for every request. V8 keeps an object in its fast layout only while the
 * accessors defined on it are the same functions each time; a fresh closure per request would push
 * every `req` (or Koa `ctx.state`) into slow dictionary mode.
 */
const GECKO_PROPERTY: PropertyDescriptor = {
  get(this: Target): GeckoClient | undefined {
    const state = this[STATE];
    if (state === undefined) return undefined;

    state.client ??= state.auth.client({ ...state.options, signal: hangUpSignal(state.res) });
    return state.client;
  },
  // Assigning replaces the client (e.g. with a test double) instead of throwing in strict mode.
  set(this: Target, client: GeckoClient): void {
    const state = this[STATE];
    if (state !== undefined) state.client = client;
  },
  enumerable: false,
  configurable: true,
};

/**
 * Define `target.gecko`: a GeckoForm client built on first access and then kept, whose calls abort
 * when the caller hangs up before `res` is finished. The client, its signal and the close listener
 * exist only once a route uses it. Not enumerable, so copying or logging the target never builds a
 * client. For adapter authors.
 *
 * @example
 * ```ts
 * defineRequestClient(req, res, auth, { timeout: 5_000 }); // Express: req.gecko
 * ```
 */
export function defineRequestClient(
  target: object,
  res: ServerResponse,
  auth: GeckoAuth,
  options: GeckoClientOptions,
): void {
  (target as Target)[STATE] = { auth, res, options, client: undefined };
  Object.defineProperty(target, 'gecko', GECKO_PROPERTY);
}

/**
 * A signal that aborts when the caller hangs up before the response is finished. Undefined once
 * the response is sent: work started after that belongs to no caller.
 */
export function hangUpSignal(res: ServerResponse): AbortSignal | undefined {
  if (res.writableFinished) return undefined;
  if (res.destroyed) return AbortSignal.abort(new Error(HUNG_UP));

  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error(HUNG_UP));
  });
  return controller.signal;
}

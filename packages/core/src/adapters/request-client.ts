import type { ServerResponse } from 'node:http';

import type { GeckoAuth } from '../auth.js';
import type { GeckoClient, GeckoClientOptions } from '../client.js';

const HUNG_UP = 'The client closed the connection before the response was sent.';

/**
 * Define `target.gecko` as a getter that builds a GeckoForm client on first access and then keeps
 * it. The client's calls abort when the caller hangs up before `res` is finished. One closure per
 * request; the client, its signal and the close listener exist only once a route uses it. Not
 * enumerable, so copying or logging the target never builds a client. For adapter authors.
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
  clientOptions: GeckoClientOptions,
): void {
  Object.defineProperty(target, 'gecko', {
    get: () => keepClient(target, auth.client({ ...clientOptions, signal: hangUpSignal(res) })),
    // Assigning replaces the client (e.g. with a test double) instead of throwing in strict mode.
    set: (client: GeckoClient) => keepClient(target, client),
    enumerable: false,
    configurable: true,
  });
}

function keepClient(target: object, client: GeckoClient): GeckoClient {
  Object.defineProperty(target, 'gecko', {
    value: client,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return client;
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

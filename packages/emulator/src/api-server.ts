import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeApi, apiError } from './api-routes.js';
import { applyFault } from './fault-response.js';
import type { FaultQueue } from './faults.js';
import type { FormStore } from './forms.js';
import { BodyTooLargeError, bearerToken, readBody, type Handler } from './http.js';
import type { RejectReason, TokenAuthority } from './tokens.js';
import type { EmulatorClock, EmulatorStats } from './types.js';

/** What the API server shares with the rest of the emulator. */
export interface ApiServerDeps {
  tokens: TokenAuthority;
  faults: FaultQueue;
  forms: FormStore;
  stats: EmulatorStats;
  clock: EmulatorClock;
  signal: AbortSignal;
}

const REJECT_MESSAGES: Record<RejectReason | 'missing' | 'not-bearer', string> = {
  missing: 'Missing "Authorization: Bearer <ID token>" header.',
  'not-bearer': 'The Authorization header must be "Bearer <ID token>".',
  malformed: 'The bearer token is not a valid ID token.',
  expired: 'The ID token has expired.',
  revoked: 'The token has been revoked.',
  'wrong-kind': 'The API takes the ID token, not the access or refresh token.',
};

/** The regional API: counts, faults, then the ID token check, then the forms routes. */
export function createApiHandler(deps: ApiServerDeps): Handler {
  const { stats } = deps;

  return async (req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers.authorization;
    const method = req.method ?? 'GET';
    stats.requests.push({ server: 'api', method, path: req.url ?? '/', authorization });
    stats.apiCalls += 1;

    const token = bearerToken(authorization);
    if (typeof token === 'string') {
      stats.apiCallsByToken.set(token, (stats.apiCallsByToken.get(token) ?? 0) + 1);
    }

    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      // An aborted upload leaves nobody to answer; only an oversized one gets a reply.
      if (error instanceof BodyTooLargeError) {
        apiError(res, 413, 'payload_too_large', error.message);
      }
      return;
    }

    const fault = deps.faults.take();
    if (fault !== undefined) {
      if (await applyFault(fault, res, { signal: deps.signal, errorBody: faultBody })) {
        if (fault.status === 401) stats.unauthorizedApiCalls += 1;
        return;
      }
    }

    const rejection = await checkIdToken(deps.tokens, token);
    if (rejection !== undefined) {
      stats.unauthorizedApiCalls += 1;
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return apiError(res, 401, 'unauthorized', REJECT_MESSAGES[rejection]);
    }

    const url = new URL(req.url ?? '/', 'http://api.invalid');
    routeApi({ method, url, body, now: deps.clock.now() }, res, deps.forms);
  };
}

async function checkIdToken(tokens: TokenAuthority, token: string | null | undefined) {
  if (token === undefined) return 'missing';
  if (token === null) return 'not-bearer';

  const result = await tokens.verify(token, 'id');
  return result.ok ? undefined : result.reason;
}

// A faulted status without a body gets the API's usual error shape; a success status gets `{}`.
function faultBody(status: number): unknown {
  if (status < 400) return {};
  return { error: errorCode(status), message: `Injected fault: HTTP ${status}.` };
}

function errorCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'too_many_requests';
  return status >= 500 ? 'server_error' : 'bad_request';
}

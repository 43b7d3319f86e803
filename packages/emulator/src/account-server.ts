import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { handleControl, CONTROL_PREFIX } from './control.js';
import { applyFault } from './fault-response.js';
import type { FaultQueue } from './faults.js';
import { BodyTooLargeError, bearerToken, readBody, sendJson, type Handler } from './http.js';
import { formatRefresh } from './refresh-shape.js';
import type { RejectReason, TokenAuthority } from './tokens.js';
import type { EmulatorClock, EmulatorStats, RefreshResponseShape, TokenTriple } from './types.js';

/** The path of GeckoForm's refresh endpoint on the account origin. */
export const REFRESH_PATH = '/tokens/refresh';

/** What the account server shares with the rest of the emulator. */
export interface AccountServerDeps {
  tokens: TokenAuthority;
  faults: FaultQueue;
  stats: EmulatorStats;
  clock: EmulatorClock;
  signal: AbortSignal;
  shape: RefreshResponseShape;
  idTokenTtl: number;
}

const REJECT_MESSAGES: Record<RejectReason | 'missing' | 'not-bearer', string> = {
  missing: 'Missing Authorization header.',
  'not-bearer': 'The Authorization header must be "Bearer <refresh token>".',
  malformed: 'Invalid Refresh Token.',
  expired: 'Refresh Token has expired.',
  revoked: 'Refresh Token has been revoked.',
  'wrong-kind': 'Invalid Refresh Token: the bearer token is not a refresh token.',
};

/** The account origin: `/tokens/refresh`, plus the `/__emulator/` control routes. */
export function createAccountHandler(deps: AccountServerDeps): Handler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers.authorization;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    deps.stats.requests.push({ server: 'account', method, path, authorization });

    const url = new URL(path, 'http://account.invalid');
    const isRefresh = url.pathname === REFRESH_PATH;
    if (isRefresh) deps.stats.refreshCalls += 1;

    try {
      await readBody(req);
    } catch (error) {
      // An aborted upload leaves nobody to answer; only an oversized one gets a reply.
      if (error instanceof BodyTooLargeError) {
        accountError(res, 413, 'RequestTooLarge', error.message);
      }
      return;
    }

    if (isRefresh) return refresh(deps, method, authorization, res);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControl(deps, method, url, res);
    accountError(res, 404, 'NotFound', `No route for ${method} ${url.pathname}.`);
  };
}

/** Sends `{ Error, Message }`, the account API's error shape. */
export function accountError(res: ServerResponse, status: number, error: string, message: string) {
  sendJson(res, status, { Error: error, Message: message });
}

async function refresh(
  deps: AccountServerDeps,
  method: string,
  authorization: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const fault = deps.faults.take();
  if (fault !== undefined) {
    const answerTokens = (tokens: Partial<TokenTriple>) => {
      deps.stats.successfulRefreshes += 1;
      sendJson(res, 200, formatRefresh(deps.shape, tokens, expiresIn(deps, tokens.id)));
    };
    if (await applyFault(fault, res, { signal: deps.signal, errorBody, answerTokens })) return;
  }

  // The published example is a GET; POST is accepted because clients commonly send one.
  if (method !== 'GET' && method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return accountError(res, 405, 'MethodNotAllowed', 'Use GET or POST.');
  }

  const token = bearerToken(authorization);
  const result = typeof token === 'string' ? await deps.tokens.verify(token, 'refresh') : undefined;
  if (result?.ok !== true) {
    const reason = result?.reason ?? (token === undefined ? 'missing' : 'not-bearer');
    return accountError(res, 401, 'NotAuthorizedException', REJECT_MESSAGES[reason]);
  }

  const fresh = await deps.tokens.refresh(result.claims);
  deps.stats.successfulRefreshes += 1;
  sendJson(res, 200, formatRefresh(deps.shape, fresh.tokens, fresh.expiresIn));
}

function errorBody(status: number): unknown {
  if (status < 400) return {};

  if (status === 429) return { Error: 'TooManyRequestsException', Message: 'Rate exceeded.' };
  if (status >= 500) return { Error: 'InternalErrorException', Message: `HTTP ${status}.` };
  return { Error: 'NotAuthorizedException', Message: `Injected fault: HTTP ${status}.` };
}

// For overridden tokens, report the ID token's remaining life when it can be read, as a real
// response would; junk tokens fall back to the configured lifetime.
function expiresIn(deps: AccountServerDeps, idToken: string | undefined): number {
  try {
    const exp = idToken === undefined ? undefined : decodeJwt(idToken).exp;
    if (exp !== undefined) return exp - Math.floor(deps.clock.now() / 1000);
  } catch {
    // Not a JWT: fall through to the configured lifetime.
  }
  return deps.idTokenTtl;
}

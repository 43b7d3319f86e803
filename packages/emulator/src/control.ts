import type { ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import type { TokenAuthority } from './tokens.js';
import type { EmulatorClock } from './types.js';

/** Control routes live under this prefix on the account origin; GeckoForm has nothing there. */
export const CONTROL_PREFIX = '/__emulator/';

/**
 * Lets a separate process (a CLI user, the demo) drive the emulator:
 * `POST /__emulator/advance?ms=N` moves the clock and answers `{ now }`;
 * `POST /__emulator/tokens` answers a fresh `{ id, access, refresh }`.
 */
export async function handleControl(
  deps: { tokens: TokenAuthority; clock: EmulatorClock },
  method: string,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const route = url.pathname.slice(CONTROL_PREFIX.length);
  if (route !== 'advance' && route !== 'tokens') {
    return sendJson(res, 404, { Error: 'NotFound', Message: `No control route ${url.pathname}.` });
  }
  if (method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { Error: 'MethodNotAllowed', Message: 'Control routes take POST.' });
  }

  if (route === 'tokens') return sendJson(res, 200, await deps.tokens.issue());

  const raw = url.searchParams.get('ms');
  const ms = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(ms) || ms < 0) {
    const message = 'The "ms" parameter must be a number >= 0.';
    return sendJson(res, 400, { Error: 'InvalidParameterException', Message: message });
  }
  deps.clock.advance(ms);
  sendJson(res, 200, { now: deps.clock.now() });
}

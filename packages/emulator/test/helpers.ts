import type { Emulator } from '../src/index.ts';

/** `Authorization: Bearer <token>` as fetch headers. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** GET on the API server with an ID token. */
export function apiGet(emulator: Emulator, path: string, token: string, init: RequestInit = {}) {
  return fetch(`${emulator.apiUrl}${path}`, { ...init, headers: bearer(token) });
}

/** A call to the API server with a JSON body. */
export function apiSend(
  emulator: Emulator,
  method: string,
  path: string,
  token: string,
  body: string,
) {
  const headers = { ...bearer(token), 'content-type': 'application/json' };
  return fetch(`${emulator.apiUrl}${path}`, { method, headers, body });
}

/** GET /tokens/refresh with a refresh token. */
export function refreshWith(emulator: Emulator, token: string, init: RequestInit = {}) {
  return fetch(emulator.refreshUrl, { ...init, headers: bearer(token) });
}

/** The three tokens out of a PascalCase refresh response. */
export async function readPascalTokens(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  return {
    id: body.IdToken as string,
    access: body.AccessToken as string,
    refresh: body.RefreshToken as string,
    body,
  };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TokenTriple } from '../src/index.ts';
import { apiGet, readPascalTokens, refreshWith } from './helpers.ts';

let emulator: Emulator;
let tokens: TokenTriple;

beforeEach(async () => {
  emulator = await startEmulator();
  tokens = await emulator.issueTokens();
});
afterEach(() => emulator.close());

async function refreshError(token: string) {
  const res = await refreshWith(emulator, token);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function apiError(init: RequestInit) {
  const res = await fetch(`${emulator.apiUrl}/forms`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, res };
}

describe('revocation', () => {
  it('refuses a revoked refresh token and leaves other tokens alone', async () => {
    const other = await emulator.issueTokens();
    emulator.revoke(tokens.refresh);

    expect(await refreshError(tokens.refresh)).toEqual({
      status: 401,
      body: { Error: 'NotAuthorizedException', Message: 'Refresh Token has been revoked.' },
    });
    expect((await refreshWith(emulator, other.refresh)).status).toBe(200);
    expect((await apiGet(emulator, '/forms', tokens.id)).status).toBe(200);
  });

  it('refuses a revoked token even after it was verified once', async () => {
    const next = await readPascalTokens(await refreshWith(emulator, tokens.refresh));
    emulator.revoke(next.refresh);

    expect((await refreshWith(emulator, next.refresh)).status).toBe(401);
    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(200);
  });

  it('throws a TypeError for something that is not a token', () => {
    expect(() => emulator.revoke('not-a-jwt')).toThrow(TypeError);
  });
});

describe('wrong kind of token', () => {
  it.each(['access', 'refresh'] as const)('the API refuses the %s token', async (kind) => {
    const res = await apiGet(emulator, '/forms', tokens[kind]);

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'unauthorized',
      message: 'The API takes the ID token, not the access or refresh token.',
    });
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it.each(['id', 'access'] as const)('the refresh endpoint refuses the %s token', async (kind) => {
    const { status, body } = await refreshError(tokens[kind]);

    expect(status).toBe(401);
    expect(body.Error).toBe('NotAuthorizedException');
    expect(body.Message).toMatch(/not a refresh token/);
  });
});

describe('missing and malformed credentials', () => {
  it('the API refuses a request without Authorization', async () => {
    const { status, body } = await apiError({});

    expect(status).toBe(401);
    expect(body).toEqual({
      error: 'unauthorized',
      message: 'Missing "Authorization: Bearer <ID token>" header.',
    });
  });

  it('the API refuses a non-bearer scheme and a garbage token', async () => {
    const basic = await apiError({ headers: { authorization: `Basic ${tokens.id}` } });
    const garbage = await apiError({ headers: { authorization: 'Bearer abc.def.ghi' } });

    expect(basic.status).toBe(401);
    expect(basic.body.message).toMatch(/must be "Bearer <ID token>"/);
    expect(garbage.status).toBe(401);
    expect(garbage.body.message).toBe('The bearer token is not a valid ID token.');
  });

  it('the API refuses a tampered token', async () => {
    // Same header, signature and claims except `sub`: only the signature check can catch it.
    const [header, payload, signature] = tokens.id.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' }));
    const forged = `${header}.${altered.toString('base64url')}.${signature}`;

    expect((await apiGet(emulator, '/forms', forged)).status).toBe(401);
  });

  it('both servers refuse tokens signed by another emulator', async () => {
    const stranger = await startEmulator();
    try {
      const foreign = await stranger.issueTokens();

      expect((await apiGet(emulator, '/forms', foreign.id)).status).toBe(401);
      expect((await refreshError(foreign.refresh)).body.Message).toBe('Invalid Refresh Token.');
    } finally {
      await stranger.close();
    }
  });

  it('the refresh endpoint refuses a request without Authorization', async () => {
    const res = await fetch(emulator.refreshUrl);

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      Error: 'NotAuthorizedException',
      Message: 'Missing Authorization header.',
    });
  });
});

import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TokenTriple } from '../src/index.ts';
import { apiGet, bearer, DAY_MS, HOUR_MS, readPascalTokens, refreshWith } from './helpers.ts';

let emulator: Emulator;
let tokens: TokenTriple;

beforeEach(async () => {
  emulator = await startEmulator({ startTime: Date.UTC(2025, 5, 1) });
  tokens = await emulator.issueTokens();
});
afterEach(() => emulator.close());

describe('issued tokens', () => {
  it('are three distinct signed JWTs with claims from the emulated clock', () => {
    const iat = Math.floor(emulator.clock.now() / 1000);
    const [id, access, refresh] = [tokens.id, tokens.access, tokens.refresh].map((t) =>
      decodeJwt(t),
    );

    expect(id).toMatchObject({ token_use: 'id', sub: 'emulator-profile', exp: iat + 86_400 });
    expect(access).toMatchObject({ token_use: 'access', exp: iat + 86_400 });
    expect(refresh).toMatchObject({ token_use: 'refresh', exp: iat + 30 * 86_400 });
    expect(id?.iss).toBe('https://account-api.geckoengage.invalid');
    expect(Math.abs((id?.iat ?? 0) - iat)).toBeLessThanOrEqual(1);
    expect(new Set([id?.jti, access?.jti, refresh?.jti]).size).toBe(3);
  });

  it('let the ID token call the API', async () => {
    const res = await apiGet(emulator, '/forms', tokens.id);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('honour per-issue lifetimes and subject, and keep them across refreshes', async () => {
    const short = await emulator.issueTokens({
      idTokenTtl: 60,
      refreshTokenTtl: 600,
      subject: 'p-7',
    });
    const res = await refreshWith(emulator, short.refresh);
    const next = await readPascalTokens(res);
    const iat = Math.floor(emulator.clock.now() / 1000);

    expect(next.body.ExpiresIn).toBe(60);
    expect(decodeJwt(next.id)).toMatchObject({ sub: 'p-7', exp: iat + 60 });
    expect(decodeJwt(next.refresh)).toMatchObject({ sub: 'p-7', exp: iat + 600 });
  });

  it('reject bad issue options with a TypeError', async () => {
    await expect(emulator.issueTokens({ idTokenTtl: 0 })).rejects.toThrow(/idTokenTtl/);
    await expect(emulator.issueTokens({ subject: '' })).rejects.toThrow(TypeError);
  });
});

describe('refresh', () => {
  it('returns three new valid tokens, and the old ones keep working', async () => {
    emulator.clock.advance(HOUR_MS);
    const res = await refreshWith(emulator, tokens.refresh);
    const next = await readPascalTokens(res);

    expect(res.status).toBe(200);
    expect(next.body).toMatchObject({ ExpiresIn: 86_400, TokenType: 'Bearer' });
    expect([next.id, next.access, next.refresh]).not.toContain(tokens.id);
    expect(decodeJwt(next.id).exp).toBe((decodeJwt(tokens.id).exp ?? 0) + 3600);
    expect((await apiGet(emulator, '/forms', next.id)).status).toBe(200);
    expect((await apiGet(emulator, '/forms', tokens.id)).status).toBe(200);
    expect((await refreshWith(emulator, next.refresh)).status).toBe(200);
    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(200);
  });

  it('accepts POST as well as GET, and refuses other methods', async () => {
    const post = await fetch(emulator.refreshUrl, {
      method: 'POST',
      headers: bearer(tokens.refresh),
    });
    const put = await fetch(emulator.refreshUrl, {
      method: 'PUT',
      headers: bearer(tokens.refresh),
    });

    expect(post.status).toBe(200);
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('expiry on the emulated clock', () => {
  it('answers 401 once the ID token has expired, and a refresh recovers', async () => {
    emulator.clock.advance(DAY_MS + 1000);
    const res = await apiGet(emulator, '/forms', tokens.id);

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'unauthorized',
      message: 'The ID token has expired.',
    });
    const next = await readPascalTokens(await refreshWith(emulator, tokens.refresh));
    expect((await apiGet(emulator, '/forms', next.id)).status).toBe(200);
  });

  it('still accepts the ID token one second before expiry', async () => {
    emulator.clock.advance(DAY_MS - 1000);

    expect((await apiGet(emulator, '/forms', tokens.id)).status).toBe(200);
  });

  it('refuses the refresh token once it has expired', async () => {
    emulator.clock.advance(30 * DAY_MS + 1000);
    const res = await refreshWith(emulator, tokens.refresh);

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      Error: 'NotAuthorizedException',
      Message: 'Refresh Token has expired.',
    });
  });

  it('reports expiry after the token was first seen while valid (cached verification)', async () => {
    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(200);
    emulator.clock.set(emulator.clock.now() + 31 * DAY_MS);

    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(401);
  });
});

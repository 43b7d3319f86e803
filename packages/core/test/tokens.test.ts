import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { GeckoAuth, TokenFormatError, TokenSet, isGeckoAuthError } from '../src/index.js';
import { emulator } from './helpers.js';

const base = { apiUrl: 'https://api-eu.geckoform.com' };

function constructionError(tokens: unknown): TokenFormatError {
  try {
    new GeckoAuth({ ...base, tokens: tokens as never });
  } catch (error) {
    if (error instanceof TokenFormatError) return error;
    throw error;
  }
  throw new Error('construction did not fail');
}

describe('token validation at construction', async () => {
  const emu = await emulator();
  const good = await emu.issueTokens();

  it('accepts the three tokens GeckoForm issues and reads their expiries', () => {
    const set = TokenSet.from(good);
    expect(set.idExpiresAt).toBeGreaterThan(emu.clock.now());
    expect(set.refreshExpiresAt).toBeGreaterThan(set.idExpiresAt);
  });

  it.each([
    ['id', { ...good, id: 'not-a-jwt' }, /id token is not a readable JWT/],
    ['id', { ...good, id: '' }, /id token is empty/],
    ['id', { ...good, id: 42 }, /id token must be a string, got number/],
    ['access', { ...good, access: undefined }, /access token must be a string/],
    [
      'refresh',
      { ...good, refresh: `${good.refresh}\nX-Injected: 1` },
      /refresh token contains characters/,
    ],
    ['id', { ...good, id: `Bearer ${good.id}` }, /starts with "Bearer "/],
    ['id', { ...good, id: `"${good.id}"` }, /cannot appear in a token \(quotes\?\)/],
    ['refresh', { ...good, refresh: `"${good.refresh}",` }, /cannot appear in a token/],
    ['access', { ...good, access: `${good.access}.extra` }, /not a well-formed JWT/],
    ['id', { ...good, id: good.refresh }, /id token is a refresh token/],
    ['access', { ...good, access: good.id }, /access token is an ID token/],
  ])('rejects a malformed %s token, naming it and never quoting it', (kind, tokens, message) => {
    const error = constructionError(tokens);
    expect(error.code).toBe('GECKO_TOKEN_INVALID');
    expect(error.token).toBe(kind);
    expect(error.message).toMatch(message);
    const printed = inspect(error, { depth: 10 }) + JSON.stringify(error) + String(error.cause);
    for (const secret of [good.id, good.access, good.refresh])
      expect(printed).not.toContain(secret);
  });

  it('rejects an ID token without exp', () => {
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    const payload = Buffer.from('{"sub":"x"}').toString('base64url');
    const error = constructionError({ ...good, id: `${header}.${payload}.sig` });
    expect(error.message).toMatch(/no numeric `exp`/);
  });

  it('accepts an opaque refresh token with an unknown expiry', () => {
    const set = TokenSet.from({ ...good, refresh: 'opaque-refresh-token' });
    expect(set.refreshExpiresAt).toBeUndefined();
  });

  it('rejects a missing tokens object with a TypeError naming the option', () => {
    expect(() => new GeckoAuth({ ...base, tokens: null as never })).toThrow(/`tokens`/);
  });

  it('keeps token text out of inspect and JSON of a token set and an auth', () => {
    const auth = new GeckoAuth({ ...base, tokens: good });
    const set = TokenSet.from(good);
    const printed = [
      inspect(set, { depth: 10 }),
      JSON.stringify(set),
      inspect(auth, { depth: 10 }),
      JSON.stringify(auth),
      String(set),
    ].join('\n');
    for (const secret of [good.id, good.access, good.refresh])
      expect(printed).not.toContain(secret);
    expect(printed).toContain('[redacted]');
    expect(set.id).toBe(good.id);
    expect(isGeckoAuthError(constructionError({ ...good, id: 'x' }))).toBe(true);
  });
});

describe('option validation', () => {
  it.each([
    [{ tokens: undefined }, /`region`.*`apiUrl`/],
    [{ region: 'EU!' }, /`region`/],
    [{ apiUrl: 'http://api.example.com' }, /`apiUrl` uses plain http/],
    [{ apiUrl: 'ftp://api.example.com' }, /`apiUrl` must use https/],
    [{ apiUrl: 'https://user:pw@api.example.com' }, /`apiUrl` must not contain credentials/],
    [{ apiUrl: 'https://api.example.com', refreshTimeout: -1 }, /`refreshTimeout`/],
    [{ apiUrl: 'https://api.example.com', refreshRetries: 1.5 }, /`refreshRetries`/],
    [{ apiUrl: 'https://api.example.com', refreshMethod: 'PUT' }, /`refreshMethod`/],
  ])('fails at once with a TypeError naming the option: %o', (options, message) => {
    expect(
      () => new GeckoAuth({ tokens: { id: 'a', access: 'b', refresh: 'c' }, ...options } as never),
    ).toThrow(TypeError);
    expect(
      () => new GeckoAuth({ tokens: { id: 'a', access: 'b', refresh: 'c' }, ...options } as never),
    ).toThrow(message);
  });

  it('maps a region to its GeckoForm host', async () => {
    const emu = await emulator();
    const auth = new GeckoAuth({ region: 'ca', tokens: await emu.issueTokens() });
    expect(auth.apiUrl).toBe('https://api-ca.geckoform.com');
    expect(auth.refreshUrl).toBe('https://account-api.geckoengage.com/tokens/refresh');
  });
});

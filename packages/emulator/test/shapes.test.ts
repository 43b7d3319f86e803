import { describe, expect, it } from 'vitest';
import { startEmulator, type RefreshResponseShape } from '../src/index.ts';
import { apiGet, refreshWith } from './helpers.ts';

const PASCAL_KEYS = ['AccessToken', 'ExpiresIn', 'IdToken', 'RefreshToken', 'TokenType'];

const cases: Array<
  [RefreshResponseShape, (body: Record<string, unknown>) => Record<string, unknown>, string[]]
> = [
  ['pascal', (body) => body, PASCAL_KEYS],
  ['camel', (body) => body, ['accessToken', 'expiresIn', 'idToken', 'refreshToken']],
  ['snake', (body) => body, ['access_token', 'expires_in', 'id_token', 'refresh_token']],
  ['wrapped-data', (body) => body.data as Record<string, unknown>, PASCAL_KEYS],
  [
    'wrapped-auth-result',
    (body) => body.AuthenticationResult as Record<string, unknown>,
    PASCAL_KEYS,
  ],
];

const ID_KEYS = ['IdToken', 'idToken', 'id_token'];
const REFRESH_KEYS = ['RefreshToken', 'refreshToken', 'refresh_token'];

describe.each(cases)('refreshResponseShape %s', (shape, unwrap, keys) => {
  it('answers in that shape with working tokens', async () => {
    const emulator = await startEmulator({ refreshResponseShape: shape, idTokenTtl: 300 });
    try {
      const tokens = await emulator.issueTokens();
      const body = (await (await refreshWith(emulator, tokens.refresh)).json()) as Record<
        string,
        unknown
      >;
      const inner = unwrap(body);

      expect(Object.keys(body)).toHaveLength(shape.startsWith('wrapped') ? 1 : keys.length);
      expect(Object.keys(inner).sort()).toEqual(keys);
      expect(inner.ExpiresIn ?? inner.expiresIn ?? inner.expires_in).toBe(300);
      if (keys === PASCAL_KEYS) expect(inner.TokenType).toBe('Bearer');

      const id = ID_KEYS.map((key) => inner[key]).find((value) => typeof value === 'string');
      const refresh = REFRESH_KEYS.map((key) => inner[key]).find(
        (value) => typeof value === 'string',
      );
      expect((await apiGet(emulator, '/forms', String(id))).status).toBe(200);
      expect((await refreshWith(emulator, String(refresh))).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});

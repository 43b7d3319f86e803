/**
 * Hostile input, property-based: whatever arrives, the result is a value or a typed error —
 * never an untyped throw, never prototype pollution, never a token in a message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ForeignOriginError,
  GeckoAuthError,
  TokenSet,
  parseRefreshResponse,
} from '../src/index.js';
import { foreignServer, setup } from './helpers.js';

const previous = { id: 'prev-id', access: 'prev-access', refresh: 'prev-refresh' };

/** JSON-ish values, with the keys an attacker would try and the keys the parser looks for. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'IdToken',
  'id_token',
  'idToken',
  'id',
  'data',
  'AuthenticationResult',
  'RefreshToken',
  'toString',
);
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('value'), { maxKeys: 5 }),
  ),
})).value;

function assertNoPollution(): void {
  const probe: Record<string, unknown> = {};
  expect(probe['polluted']).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('IdToken');
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('hostile input', () => {
  it('token parsing: arbitrary values give a TokenSet or a typed error that quotes nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileJson,
          fc.record({ id: fc.string(), access: fc.string(), refresh: fc.string() }),
        ),
        (input) => {
          try {
            TokenSet.from(input);
          } catch (error) {
            expect(error instanceof GeckoAuthError || error instanceof TypeError).toBe(true);
            if (
              typeof input === 'object' &&
              input !== null &&
              'id' in input &&
              typeof input.id === 'string' &&
              input.id.length > 12
            ) {
              expect((error as Error).message).not.toContain(input.id);
            }
          }
          assertNoPollution();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('token parsing: JWT-shaped strings with arbitrary payloads never throw untyped errors', () => {
    const segment = fc.oneof(
      fc.base64String().map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
      hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
    );
    fc.assert(
      fc.property(segment, segment, segment, (a, b, c) => {
        const id = `${a}.${b}.${c}`;
        try {
          const set = TokenSet.from({ id, access: id, refresh: id });
          expect(Number.isFinite(set.idExpiresAt)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(GeckoAuthError);
          if (id.length > 12) expect((error as Error).message).not.toContain(id);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('refresh-response parsing: arbitrary JSON gives three strings or a typed error, no pollution', () => {
    fc.assert(
      fc.property(hostileJson, (body) => {
        try {
          const tokens = parseRefreshResponse(body, previous);
          expect(typeof tokens.id).toBe('string');
          expect(typeof tokens.access).toBe('string');
          expect(typeof tokens.refresh).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(GeckoAuthError);
          expect((error as GeckoAuthError).code).toBe('GECKO_REFRESH_RESPONSE_INVALID');
        }
        assertNoPollution();
      }),
      { numRuns: 3_000 },
    );
  });

  it('refresh-response parsing: a token reachable only through the prototype is ignored', () => {
    const body = JSON.parse(
      '{"__proto__": {"IdToken": "from-proto"}, "data": {"constructor": {"IdToken": "x"}}}',
    );
    expect(() => parseRefreshResponse(body, previous)).toThrow(/no ID token/);
    const inherited = Object.create({ IdToken: 'inherited' }) as object;
    expect(() => parseRefreshResponse(inherited, previous)).toThrow(/no ID token/);
  });

  it('origin scoping: the ID token only ever goes to the API origin, whatever the path', async () => {
    const { emu, tokens, auth } = await setup();
    const foreign = await foreignServer();
    const apiOrigin = new URL(emu.apiUrl).origin;
    const foreignHost = new URL(foreign.url).host;
    const sentTo: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.get('authorization') !== null) sentTo.push(new URL(String(input)).origin);
      return fetch(input, init);
    };
    const client = auth.client({ fetch: recordingFetch, retries: 0, timeout: 2_000 });
    const path = fc.oneof(
      fc.webPath(),
      fc.webUrl(),
      fc.constantFrom(
        `//${foreignHost}/x`,
        `http://${foreignHost}/x`,
        `http:${foreignHost}/x`,
        `/\\${foreignHost}/x`,
        `\\\\${foreignHost}/x`,
        `${emu.apiUrl}@${foreignHost}/x`,
        `http://${foreignHost}#${emu.apiUrl}`,
        `HTTP://${foreignHost}/x`,
        `  //${foreignHost}`,
        `javascript:alert(1)`,
        `data:text/plain,hi`,
        `../../${foreignHost}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(path, async (p) => {
        try {
          await client.get(p);
        } catch (error) {
          expect(error).toBeInstanceOf(GeckoAuthError);
          if (error instanceof ForeignOriginError) expect(error.message).not.toContain(tokens.id);
        }
      }),
      { numRuns: 300 },
    );
    expect(sentTo.length).toBeGreaterThan(0);
    expect(new Set(sentTo)).toEqual(new Set([apiOrigin]));
    expect(foreign.received.filter((h) => h.authorization !== undefined)).toHaveLength(0);
  });
});

describe('response size limits', () => {
  it('a huge refresh body is refused without being read whole', async () => {
    const { emu, auth } = await setup({ refreshRetries: 0 });
    emu.fault('refresh', { body: `{"IdToken":"${'a'.repeat(8 * 1024 * 1024)}"}` });
    await expect(auth.refresh()).rejects.toMatchObject({
      code: 'GECKO_REFRESH_RESPONSE_INVALID',
      message: expect.stringMatching(/larger than/),
    });
  });

  it('an API body over the limit is a typed error', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 200, body: JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024) }) });
    await expect(
      auth.client({ maxResponseBytes: 1024 * 1024 }).get('/forms'),
    ).rejects.toMatchObject({ code: 'GECKO_RESPONSE_INVALID' });
  });
});

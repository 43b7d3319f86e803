import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Fault, type TokenTriple } from '../src/index.ts';
import { apiGet, readPascalTokens, refreshWith } from './helpers.ts';

let emulator: Emulator;
let tokens: TokenTriple;

beforeEach(async () => {
  emulator = await startEmulator();
  tokens = await emulator.issueTokens();
});
afterEach(() => emulator.close());

const forms = (init?: RequestInit) => apiGet(emulator, '/forms', tokens.id, init);

describe('status faults', () => {
  it('answers the status with headers and a JSON error body, once', async () => {
    emulator.fault('api', { status: 503, headers: { 'retry-after': '2' } });
    const faulted = await forms();

    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('2');
    expect(await faulted.json()).toEqual({
      error: 'server_error',
      message: 'Injected fault: HTTP 503.',
    });
    expect((await forms()).status).toBe(200);
  });

  it('answers the refresh endpoint in the account API error style', async () => {
    emulator.fault('refresh', { status: 429, headers: { 'retry-after': '1' } });
    const res = await refreshWith(emulator, tokens.refresh);

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      Error: 'TooManyRequestsException',
      Message: 'Rate exceeded.',
    });
    expect(emulator.stats).toMatchObject({ refreshCalls: 1, successfulRefreshes: 0 });
  });

  it('sends a raw body with its content type', async () => {
    emulator.fault('refresh', {
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    });
    const res = await refreshWith(emulator, tokens.refresh);

    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html>bad gateway</html>');
  });

  it('sends a malformed JSON body with status 200 when only body is given', async () => {
    emulator.fault('refresh', { body: 'not json{' });
    const res = await refreshWith(emulator, tokens.refresh);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });
});

describe('transport faults', () => {
  it('delays, then answers normally', async () => {
    emulator.fault('api', { delayMs: 300 });
    const started = performance.now();
    const res = await forms();

    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('delays, then answers with the fault status', async () => {
    emulator.fault('refresh', { delayMs: 50, status: 500 });

    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(500);
  });

  it('hangs until the client gives up, then serves the next request', async () => {
    emulator.fault('api', { hang: true });
    const hung = forms({ signal: AbortSignal.timeout(200) });

    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await forms()).status).toBe(200);
  });

  it('resets the connection without an answer', async () => {
    emulator.fault('refresh', { reset: true });

    await expect(refreshWith(emulator, tokens.refresh)).rejects.toThrow(TypeError);
    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(200);
    expect(emulator.stats.refreshCalls).toBe(2);
  });

  it('redirects with 302 and Location', async () => {
    emulator.fault('refresh', { redirectTo: 'https://evil.example/steal' });
    const res = await refreshWith(emulator, tokens.refresh, { redirect: 'manual' });

    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://evil.example/steal');
  });
});

describe('tokens fault', () => {
  it('answers 200 with exactly the given tokens, leaving out the missing ones', async () => {
    const replacement = await emulator.issueTokens({ idTokenTtl: 120 });
    emulator.fault('refresh', { tokens: { id: replacement.id, access: replacement.access } });
    const res = await fetch(emulator.refreshUrl);
    const next = await readPascalTokens(res);

    expect(res.status).toBe(200);
    expect(next.id).toBe(replacement.id);
    expect(next.access).toBe(replacement.access);
    expect(Object.hasOwn(next.body, 'RefreshToken')).toBe(false);
    expect(next.body.ExpiresIn).toBe(
      (decodeJwt(replacement.id).exp ?? 0) - Math.floor(emulator.clock.now() / 1000),
    );
    expect(emulator.stats.successfulRefreshes).toBe(1);
  });

  it('can hand out junk tokens', async () => {
    emulator.fault('refresh', { tokens: { id: 'junk', access: 'junk', refresh: 'junk' } });
    const next = await readPascalTokens(await refreshWith(emulator, tokens.refresh));

    expect(next).toMatchObject({ id: 'junk', refresh: 'junk' });
    expect(next.body.ExpiresIn).toBe(86_400);
    expect((await apiGet(emulator, '/forms', next.id)).status).toBe(401);
  });
});

describe('queueing', () => {
  it('applies a fault `times` times, then answers normally', async () => {
    emulator.fault('api', { status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await forms()).status);

    expect(statuses).toEqual([500, 500, 200]);
  });

  it('keeps an Infinity fault until clearFaults()', async () => {
    emulator.fault('api', { status: 503, times: Infinity });
    for (let i = 0; i < 5; i += 1) expect((await forms()).status).toBe(503);

    emulator.clearFaults();
    expect((await forms()).status).toBe(200);
  });

  it('runs faults first in, first out, per target', async () => {
    emulator.fault('api', { status: 502 });
    emulator.fault('api', { status: 504 });
    emulator.fault('refresh', { status: 500 });

    expect((await forms()).status).toBe(502);
    expect((await forms()).status).toBe(504);
    expect((await forms()).status).toBe(200);
    expect((await refreshWith(emulator, tokens.refresh)).status).toBe(500);
  });

  it('adds fault headers to a normal answer', async () => {
    emulator.fault('api', { headers: { 'x-ratelimit-remaining': '0' } });
    const res = await forms();

    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it.each<[string, 'api' | 'refresh', Fault]>([
    ['times 0', 'api', { times: 0 }],
    ['status 99', 'api', { status: 99 }],
    ['negative delay', 'api', { delayMs: -1 }],
    ['relative redirect', 'api', { redirectTo: '/x' }],
    ['hang with reset', 'api', { hang: true, reset: true }],
    ['hang with delay', 'api', { hang: true, delayMs: 5 }],
    ['status with tokens', 'refresh', { status: 500, tokens: {} }],
    ['tokens on the API', 'api', { tokens: { id: 'x' } }],
  ])('refuses %s with a TypeError', (_name, target, fault) => {
    expect(() => emulator.fault(target, fault)).toThrow(TypeError);
  });
});

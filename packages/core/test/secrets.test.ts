import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import type { GeckoTokens } from '../src/index.js';
import { DAY, HOUR, foreignServer, setup } from './helpers.js';

/** Everything printable that a scenario produced: errors with their cause chains, and events. */
function printable(values: unknown[]): string {
  const parts: string[] = [];
  for (const value of values) {
    parts.push(inspect(value, { depth: 20, showHidden: true }));
    parts.push(String(value));
    try {
      parts.push(JSON.stringify(value) ?? '');
    } catch {
      // Circular structures cannot leak through JSON.stringify.
    }
    let cause = value instanceof Error ? value.cause : undefined;
    while (cause !== undefined) {
      parts.push(inspect(cause, { depth: 20, showHidden: true }), String(cause));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return parts.join('\n');
}

function expectNoSecrets(text: string, ...sets: (GeckoTokens | undefined)[]): void {
  for (const set of sets) {
    if (set === undefined) continue;
    for (const secret of [set.id, set.access, set.refresh]) {
      expect(text).not.toContain(secret);
      // A JWT's signature part alone is as good as the token to nobody, but its payload is ours.
      expect(text).not.toContain(secret.split('.')[2]);
    }
  }
}

describe('no token in any error, event, inspect or JSON output', () => {
  it('holds across refresh failures, API errors, timeouts, aborts and re-auth', async () => {
    const { emu, tokens, auth } = await setup({ refreshRetries: 1, refreshTimeout: 300 });
    const captured: unknown[] = [];
    auth.on('error', (event) => captured.push(event, event.error));
    auth.on('refresh', (event) => captured.push(event, event.tokens));
    auth.on('reauth-required', (event) => captured.push(event, event.error));
    const client = auth.client({ timeout: 300 });
    // Resolved values are tokens by design; only failures and events are scanned.
    const attempt = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => captured.push(e),
      );

    emu.fault('api', { status: 404 });
    await attempt(client.get('/forms/1'));
    emu.fault('api', { status: 401, times: Infinity });
    await attempt(client.get('/forms'));
    emu.clearFaults();
    emu.fault('api', { hang: true });
    await attempt(client.get('/forms'));
    emu.fault('api', { reset: true });
    await attempt(client.post('/forms', { name: 'x' }));
    const foreign = await foreignServer();
    await attempt(client.get(`${foreign.url}/x`));

    emu.clock.advance(DAY + HOUR);
    emu.fault('refresh', { status: 500, times: 2 });
    await attempt(auth.getIdToken());
    emu.fault('refresh', { hang: true });
    await attempt(auth.getIdToken());
    // A replayed (already expired) ID token and a body quoting a token are both refused.
    emu.fault('refresh', { body: `{"IdToken":"${tokens.id}"}`, times: 2 });
    await attempt(auth.getIdToken());
    emu.fault('refresh', { body: `{"Message":"bad token ${tokens.refresh}"}`, times: 2 });
    await attempt(auth.getIdToken());
    await auth.getIdToken();
    const latest = auth.tokens?.toTokens();
    emu.revoke(latest?.refresh ?? tokens.refresh);
    emu.clock.advance(DAY + HOUR);
    await attempt(auth.getIdToken());
    await attempt(client.get('/forms'));
    captured.push(auth, auth.tokens, client);

    const codes = captured.map((v) => (v instanceof Error && 'code' in v ? v.code : undefined));
    expect(codes).toEqual(
      expect.arrayContaining([
        'GECKO_API_ERROR',
        'GECKO_REQUEST_TIMEOUT',
        'GECKO_NETWORK_ERROR',
        'GECKO_FOREIGN_ORIGIN',
        'GECKO_REFRESH_FAILED',
        'GECKO_REFRESH_TIMEOUT',
        'GECKO_REFRESH_RESPONSE_INVALID',
        'GECKO_REAUTH_REQUIRED',
      ]),
    );
    expectNoSecrets(printable(captured), tokens, latest);
  });
});

import {
  GeckoClient,
  isGeckoAuthError,
  ReauthRequiredError,
  RequestAbortedError,
  type GeckoAuth,
} from '@gecko-auth/core';
import { Hono, type ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';

import { geckoAuth, type GeckoHonoOptions } from '../src/index.js';
import { authFor, DAY, deferred, serveNode, setup, until } from './helpers.js';

interface FormsPage {
  data: { id: number; name: string }[];
  total: number;
}

/** Answers every gecko-auth error with 503 and its code, as an application would. */
const mapGeckoErrors: ErrorHandler = (error, c) => {
  const wrapped = error instanceof HTTPException;
  const gecko = wrapped ? error.cause : error;
  if (!isGeckoAuthError(gecko)) return c.text('Internal Server Error', 500);

  return c.json(
    { code: gecko.code, name: gecko.name, via: wrapped ? 'HTTPException' : 'thrown' },
    503,
  );
};

describe('c.var.gecko', () => {
  it('lists forms through the attached client (the README example)', async () => {
    const { emu, tokens, auth } = await setup();
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (c) => {
      return c.json(await c.var.gecko.get('/forms', { query: { per_page: 15 } }));
    });

    const response = await app.request('/forms');

    expect(response.status).toBe(200);
    const page = (await response.json()) as FormsPage;
    expect(page.data.map((form) => form.id)).toEqual([...Array(15).keys()].map((i) => i + 1));
    expect(page.total).toBe(137);
    expect(emu.stats.apiCallsByToken.get(tokens.id)).toBe(1);
  });

  it('sets one client per request, the same through c.var and c.get', async () => {
    const { auth } = await setup();
    const seen: GeckoClient[] = [];
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/', (c) => {
      seen.push(c.var.gecko);
      return c.json({ same: c.get('gecko') === c.var.gecko });
    });

    const bodies = [await (await app.request('/')).json(), await (await app.request('/')).json()];

    expect(bodies).toEqual([{ same: true }, { same: true }]);
    expect(seen[0]).toBeInstanceOf(GeckoClient);
    expect(seen[1]).toBeInstanceOf(GeckoClient);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('does no token work and no network for a route that never calls GeckoForm', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(2 * DAY);
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/health', (c) => c.text('ok'));

    for (let i = 0; i < 3; i++) expect(await (await app.request('/health')).text()).toBe('ok');

    expect(emu.stats.requests).toEqual([]);
    expect(auth.status).toBe('loading');
  });
});

describe('token refresh', () => {
  it('refreshes an expired ID token and calls GeckoForm with the new one', async () => {
    const { emu, tokens, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (c) =>
      c.json(await c.var.gecko.get('/forms', { query: { per_page: 3 } })),
    );

    const response = await app.request('/forms');

    expect(response.status).toBe(200);
    expect(((await response.json()) as FormsPage).data).toHaveLength(3);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCallsByToken.has(tokens.id)).toBe(false);
    expect(emu.stats.apiCallsByToken.get(auth.tokens?.id ?? '')).toBe(1);
  });

  it('serves 200 concurrent requests across ID token expiry with exactly one refresh', async () => {
    const { emu, tokens, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (c) =>
      c.json(await c.var.gecko.get('/forms', { query: { per_page: 1 } })),
    );

    const responses = await Promise.all(Array.from({ length: 200 }, () => app.request('/forms')));
    const pages = (await Promise.all(responses.map((r) => r.json()))) as FormsPage[];

    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(pages.every((page) => page.data[0]?.id === 1)).toBe(true);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCallsByToken.has(tokens.id)).toBe(false);
    expect([...emu.stats.apiCallsByToken.values()]).toEqual([200]);
  });

  it('with requireToken, refreshes before the handler runs', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Hono();
    app.use(geckoAuth({ auth, requireToken: true }));
    app.get('/', (c) =>
      c.json({ refreshCalls: emu.stats.refreshCalls, apiCalls: emu.stats.apiCalls }),
    );

    expect(await (await app.request('/')).json()).toEqual({ refreshCalls: 1, apiCalls: 0 });
  });
});

describe('caller hang-up', () => {
  /** An app whose GeckoForm call reports how it ended through `outcome`. */
  function hangingApp(auth: GeckoAuth) {
    const outcome = deferred<unknown>();
    const app = new Hono();
    // The timeout only turns a broken abort into a clear assertion failure instead of a hang.
    app.use(geckoAuth({ auth, timeout: 10_000 }));
    app.get('/forms', async (c) => {
      try {
        const forms = await c.var.gecko.get('/forms');
        outcome.resolve(forms);
        return c.json(forms);
      } catch (error) {
        outcome.resolve(error);
        throw error;
      }
    });
    return { app, outcome: outcome.promise };
  }

  it('aborts the GeckoForm call when a caller hangs up on a Node server', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const { app, outcome } = hangingApp(auth);
    const url = await serveNode(app);
    const caller = new AbortController();

    const request = fetch(`${url}/forms`, { signal: caller.signal }).catch(
      (error: unknown) => error,
    );
    await until(() => emu.stats.apiCalls === 1);
    caller.abort();

    const error = await outcome;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ code: 'GECKO_REQUEST_ABORTED' });
    expect(await request).toMatchObject({ name: 'AbortError' });
  });

  it('aborts the GeckoForm call when the runtime aborts the request signal', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const { app, outcome } = hangingApp(auth);
    const caller = new AbortController();

    const response = app.request(new Request('http://app.local/forms', { signal: caller.signal }));
    await until(() => emu.stats.apiCalls === 1);
    caller.abort();

    expect(await outcome).toBeInstanceOf(RequestAbortedError);
    expect((await response).status).toBe(500);
  });

  it('passes `timeout` to the client', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const app = new Hono();
    app.use(geckoAuth({ auth, timeout: 50 }));
    app.get('/forms', async (c) => c.json(await c.var.gecko.get('/forms')));
    app.onError(mapGeckoErrors);

    const response = await app.request('/forms');

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REQUEST_TIMEOUT',
      name: 'RequestTimeoutError',
      via: 'thrown',
    });
  });
});

describe('tenants', () => {
  it('uses the GeckoAuth the `auth` function picks for each request', async () => {
    const { emu } = await setup();
    const a = await emu.issueTokens({ subject: 'tenant-a' });
    const b = await emu.issueTokens({ subject: 'tenant-b' });
    const tenants = new Map([
      ['a', authFor(emu, a)],
      ['b', authFor(emu, b)],
    ]);
    const app = new Hono();
    app.use(
      geckoAuth({
        auth: async (c) => {
          const auth = tenants.get(c.req.header('x-tenant') ?? '');
          if (auth === undefined) throw new HTTPException(404, { message: 'Unknown tenant.' });
          return auth;
        },
      }),
    );
    app.get('/forms', async (c) =>
      c.json(await c.var.gecko.get('/forms', { query: { per_page: 1 } })),
    );
    const get = (tenant: string) => app.request('/forms', { headers: { 'x-tenant': tenant } });

    const statuses = [(await get('a')).status, (await get('b')).status, (await get('b')).status];
    const unknown = await get('c');

    expect(statuses).toEqual([200, 200, 200]);
    expect(emu.stats.apiCallsByToken.get(a.id)).toBe(1);
    expect(emu.stats.apiCallsByToken.get(b.id)).toBe(2);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Unknown tenant.');
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('throws a TypeError when the `auth` function returns no GeckoAuth', async () => {
    const seen: unknown[] = [];
    const app = new Hono();
    // As plain JavaScript could: the resolver's type forbids this.
    app.use(geckoAuth({ auth: () => undefined as unknown as GeckoAuth }));
    app.get('/', (c) => c.text('handler ran'));
    app.onError((error, c) => {
      seen.push(error);
      return c.text('failed', 500);
    });

    expect(await (await app.request('/')).text()).toBe('failed');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TypeError);
    expect(String(seen[0])).toContain('`auth`');
  });
});

describe('re-auth required', () => {
  it('with requireToken, throws an HTTPException caused by ReauthRequiredError', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const seen: unknown[] = [];
    let handlerRuns = 0;
    const app = new Hono();
    app.get('/forms', geckoAuth({ auth, requireToken: true }), (c) => {
      handlerRuns++;
      return c.json([]);
    });
    app.onError((error, c) => {
      seen.push(error);
      return mapGeckoErrors(error, c);
    });

    const first = await app.request('/forms');
    const second = await app.request('/forms');

    expect([first.status, second.status]).toEqual([503, 503]);
    expect(await first.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
      via: 'HTTPException',
    });
    expect(seen).toHaveLength(2);
    for (const error of seen) {
      expect(error).toBeInstanceOf(HTTPException);
      expect(error).toMatchObject({ status: 503, cause: expect.any(ReauthRequiredError) });
    }
    expect(handlerRuns).toBe(0);
    // The second request failed fast: GeckoForm was asked to refresh only once.
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('with requireToken and no error handler, answers 503 without details', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const app = new Hono();
    app.use(geckoAuth({ auth, requireToken: true }));
    app.get('/forms', (c) => c.json([]));

    const response = await app.request('/forms');

    expect(response.status).toBe(503);
    expect(await response.text()).toBe('GeckoForm is unavailable.');
  });

  it('without requireToken, rejects the handler’s GeckoForm call with a typed error', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const app = new Hono();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (c) => c.json(await c.var.gecko.get('/forms')));
    app.onError(mapGeckoErrors);

    const response = await app.request('/forms');

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
      via: 'thrown',
    });
    expect(auth.status).toBe('reauth-required');
    expect(emu.stats.apiCalls).toBe(0);
  });
});

describe('options', () => {
  // Called as plain JavaScript would, since the types already forbid these.
  const create = (options: unknown) => () => geckoAuth(options as GeckoHonoOptions);

  it('throws a TypeError naming the bad option', async () => {
    const { auth } = await setup();

    expect(create(undefined)).toThrow(TypeError);
    expect(create({})).toThrow(/`auth`/);
    expect(create({ auth: { client: 'nope' } })).toThrow(/`auth`/);
    expect(create({ auth, requireToken: 'yes' })).toThrow(/`requireToken`/);
    expect(create({ auth, timeout: 0 })).toThrow(/`timeout`/);
    expect(create({ auth, timeout: Number.NaN })).toThrow(/`timeout`/);
    expect(create({ auth, requireToken: true, timeout: 5_000 })).not.toThrow();
    expect(create({ auth: () => auth })).not.toThrow();
  });
});

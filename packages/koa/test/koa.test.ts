import {
  GeckoClient,
  isGeckoAuthError,
  ReauthRequiredError,
  RequestAbortedError,
  type GeckoAuth,
} from '@gecko-auth/core';
import Koa, { type Middleware } from 'koa';
import { describe, expect, it } from 'vitest';

import { geckoAuth, type GeckoKoaOptions } from '../src/index.js';
import { authFor, DAY, deferred, serve, setup, until } from './helpers.js';

interface FormsPage {
  data: { id: number; name: string }[];
  total: number;
}

/** Answers every gecko-auth error, thrown or as a cause, with 503 and its code (the README's). */
const mapGeckoErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const gecko = error instanceof Error && !isGeckoAuthError(error) ? error.cause : error;
    if (!isGeckoAuthError(gecko)) throw error;

    ctx.status = 503;
    ctx.body = { code: gecko.code, name: gecko.name, wrapped: gecko !== error };
  }
};

/** Koa routes by hand here: the adapter does not depend on a router. */
function route(path: string, handler: Middleware): Middleware {
  return (ctx, next) => (ctx.path === path ? handler(ctx, next) : next());
}

describe('ctx.state.gecko', () => {
  it('lists forms through the attached client (the README example)', async () => {
    const { emu, tokens, auth } = await setup();
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms', { query: { per_page: 15 } });
    });
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(200);
    const page = (await response.json()) as FormsPage;
    expect(page.data.map((form) => form.id)).toEqual([...Array(15).keys()].map((i) => i + 1));
    expect(page.total).toBe(137);
    expect(emu.stats.apiCallsByToken.get(tokens.id)).toBe(1);
  });

  it('builds one client per request and keeps it for the whole request', async () => {
    const { auth } = await setup();
    const seen: GeckoClient[] = [];
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use((ctx) => {
      seen.push(ctx.state.gecko);
      ctx.body = { same: ctx.state.gecko === seen.at(-1), keys: Object.keys(ctx.state) };
    });
    const url = await serve(app);

    const bodies = [await (await fetch(url)).json(), await (await fetch(url)).json()];

    expect(bodies).toEqual([
      { same: true, keys: [] },
      { same: true, keys: [] },
    ]);
    expect(seen[0]).toBeInstanceOf(GeckoClient);
    expect(seen[1]).toBeInstanceOf(GeckoClient);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('does no token work and no network for a route that never calls GeckoForm', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(2 * DAY);
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const url = await serve(app);

    for (let i = 0; i < 3; i++) expect(await (await fetch(`${url}/health`)).text()).toBe('ok');

    expect(emu.stats.requests).toEqual([]);
    expect(auth.status).toBe('loading');
  });
});

describe('token refresh', () => {
  it('refreshes an expired ID token and calls GeckoForm with the new one', async () => {
    const { emu, tokens, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms', { query: { per_page: 3 } });
    });
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(200);
    expect(((await response.json()) as FormsPage).data).toHaveLength(3);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCallsByToken.has(tokens.id)).toBe(false);
    expect(emu.stats.apiCallsByToken.get(auth.tokens?.id ?? '')).toBe(1);
  });

  it('serves 200 concurrent requests across ID token expiry with exactly one refresh', async () => {
    const { emu, tokens, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms', { query: { per_page: 1 } });
    });
    const url = await serve(app);

    const responses = await Promise.all(Array.from({ length: 200 }, () => fetch(`${url}/forms`)));
    const pages = (await Promise.all(responses.map((r) => r.json()))) as FormsPage[];

    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(pages.every((page) => page.data[0]?.id === 1)).toBe(true);
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCallsByToken.has(tokens.id)).toBe(false);
    expect([...emu.stats.apiCallsByToken.values()]).toEqual([200]);
  });

  it('with requireToken, refreshes before the next middleware runs', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = new Koa();
    app.use(geckoAuth({ auth, requireToken: true }));
    app.use((ctx) => {
      ctx.body = { refreshCalls: emu.stats.refreshCalls, apiCalls: emu.stats.apiCalls };
    });
    const url = await serve(app);

    expect(await (await fetch(url)).json()).toEqual({ refreshCalls: 1, apiCalls: 0 });
  });
});

describe('caller hang-up', () => {
  it('aborts the GeckoForm call when the caller hangs up', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const outcome = deferred<unknown>();
    const app = new Koa();
    // The timeout only turns a broken abort into a clear assertion failure instead of a hang.
    app.use(geckoAuth({ auth, timeout: 10_000 }));
    app.use(async (ctx) => {
      try {
        ctx.body = await ctx.state.gecko.get('/forms');
        outcome.resolve(ctx.body);
      } catch (error) {
        outcome.resolve(error);
        throw error;
      }
    });
    // Koa logs errors of requests nobody is waiting for; this one is expected.
    app.silent = true;
    const url = await serve(app);
    const caller = new AbortController();

    const request = fetch(`${url}/forms`, { signal: caller.signal }).catch(
      (error: unknown) => error,
    );
    await until(() => emu.stats.apiCalls === 1);
    caller.abort();

    const error = await outcome.promise;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ code: 'GECKO_REQUEST_ABORTED' });
    expect(await request).toMatchObject({ name: 'AbortError' });
  });

  it('does not abort calls made after the response is sent', async () => {
    const { emu, auth } = await setup();
    const outcome = deferred<unknown>();
    const app = new Koa();
    app.use(geckoAuth({ auth }));
    app.use((ctx) => {
      const client = ctx.state.gecko;
      ctx.res.on('finish', () => {
        client.get('/forms', { query: { per_page: 2 } }).then(outcome.resolve, outcome.resolve);
      });
      ctx.body = { accepted: true };
    });
    const url = await serve(app);

    expect(await (await fetch(url)).json()).toEqual({ accepted: true });

    expect(await outcome.promise).toMatchObject({ data: [{ id: 1 }, { id: 2 }] });
    expect(emu.stats.apiCalls).toBe(1);
  });

  it('passes `timeout` to the client', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const app = new Koa();
    app.use(mapGeckoErrors);
    app.use(geckoAuth({ auth, timeout: 50 }));
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms');
    });
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REQUEST_TIMEOUT',
      name: 'RequestTimeoutError',
      wrapped: false,
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
    const app = new Koa();
    app.silent = true;
    app.use(
      geckoAuth({
        auth: async (ctx) => tenants.get(ctx.get('x-tenant')) ?? ctx.throw(404, 'Unknown tenant.'),
      }),
    );
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms', { query: { per_page: 1 } });
    });
    const url = await serve(app);
    const get = (tenant: string) => fetch(`${url}/forms`, { headers: { 'x-tenant': tenant } });

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
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(error);
        ctx.status = 500;
      }
    });
    // As plain JavaScript could: the resolver's type forbids this.
    app.use(geckoAuth({ auth: () => undefined as unknown as GeckoAuth }));
    app.use((ctx) => {
      ctx.body = 'handler ran';
    });
    const url = await serve(app);

    expect((await fetch(url)).status).toBe(500);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TypeError);
    expect(String(seen[0])).toContain('`auth`');
  });
});

describe('re-auth required', () => {
  it('with requireToken, throws a 503 caused by ReauthRequiredError and skips the route', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const seen: unknown[] = [];
    let routeRuns = 0;
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    app.use(route('/forms', geckoAuth({ auth, requireToken: true })));
    app.use((ctx) => {
      routeRuns++;
      ctx.body = [];
    });
    app.silent = true;
    const url = await serve(app);

    const first = await fetch(`${url}/forms`);
    const second = await fetch(`${url}/forms`);

    // Koa's own error response: the status we set, and no message, since expose is false.
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(await first.text()).toBe('Service Unavailable');
    expect(seen).toHaveLength(2);
    for (const error of seen) {
      expect(error).toMatchObject({
        status: 503,
        expose: false,
        cause: expect.any(ReauthRequiredError),
      });
      expect(error).toHaveProperty('cause.code', 'GECKO_REAUTH_REQUIRED');
    }
    expect(routeRuns).toBe(0);
    // The second request failed fast: GeckoForm was asked to refresh only once.
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('with requireToken, lets an error middleware map the cause to its own answer', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const app = new Koa();
    app.use(mapGeckoErrors);
    app.use(geckoAuth({ auth, requireToken: true }));
    app.use((ctx) => {
      ctx.body = 'route ran';
    });
    const url = await serve(app);

    const response = await fetch(url);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
      wrapped: true,
    });
  });

  it('without requireToken, rejects the route’s GeckoForm call with a typed error', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const app = new Koa();
    app.use(mapGeckoErrors);
    app.use(geckoAuth({ auth }));
    app.use(async (ctx) => {
      ctx.body = await ctx.state.gecko.get('/forms');
    });
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
      wrapped: false,
    });
    expect(auth.status).toBe('reauth-required');
    expect(emu.stats.apiCalls).toBe(0);
  });
});

describe('options', () => {
  // Called as plain JavaScript would, since the types already forbid these.
  const create = (options: unknown) => () => geckoAuth(options as GeckoKoaOptions);

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

import {
  GeckoClient,
  isGeckoAuthError,
  ReauthRequiredError,
  RequestAbortedError,
  type GeckoAuth,
} from '@gecko-auth/core';
import express, { type ErrorRequestHandler } from 'express';
import { describe, expect, it } from 'vitest';

import { geckoAuth, type GeckoExpressOptions } from '../src/index.js';
import { authFor, DAY, deferred, serve, setup, until } from './helpers.js';

interface FormsPage {
  data: { id: number; name: string }[];
  total: number;
}

/** Answers every gecko-auth error with 503 and its code, as an application would. */
const mapGeckoErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (!isGeckoAuthError(error)) return next(error);

  res.status(503).json({ code: error.code, name: error.name });
};

describe('req.gecko', () => {
  it('lists forms through the attached client (the README example)', async () => {
    const { emu, tokens, auth } = await setup();
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms', { query: { per_page: 15 } }));
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
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/', (req, res) => {
      seen.push(req.gecko);
      res.json({ same: req.gecko === seen.at(-1) });
    });
    const url = await serve(app);

    const bodies = [await (await fetch(url)).json(), await (await fetch(url)).json()];

    expect(bodies).toEqual([{ same: true }, { same: true }]);
    expect(seen[0]).toBeInstanceOf(GeckoClient);
    expect(seen[1]).toBeInstanceOf(GeckoClient);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('does no token work and no network for a route that never calls GeckoForm', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(2 * DAY);
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const url = await serve(app);

    for (let i = 0; i < 3; i++) expect(await (await fetch(`${url}/health`)).text()).toBe('ok');

    expect(emu.stats.requests).toEqual([]);
    expect(auth.status).toBe('loading');
  });

  it('lets a route replace the client, e.g. with a test double', async () => {
    const { auth } = await setup();
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/', (req, res) => {
      const replacement = auth.client();
      req.gecko = replacement;
      res.json({ replaced: req.gecko === replacement });
    });
    const url = await serve(app);

    expect(await (await fetch(url)).json()).toEqual({ replaced: true });
  });
});

describe('token refresh', () => {
  it('refreshes an expired ID token and calls GeckoForm with the new one', async () => {
    const { emu, tokens, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms', { query: { per_page: 3 } }));
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
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms', { query: { per_page: 1 } }));
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

  it('with requireToken, refreshes before the route runs', async () => {
    const { emu, auth } = await setup();
    emu.clock.advance(DAY + 60_000);
    const app = express();
    app.use(geckoAuth({ auth, requireToken: true }));
    app.get('/', (_req, res) => {
      res.json({ refreshCalls: emu.stats.refreshCalls, apiCalls: emu.stats.apiCalls });
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
    const app = express();
    // The timeout only turns a broken abort into a clear assertion failure instead of a hang.
    app.use(geckoAuth({ auth, timeout: 10_000 }));
    app.get('/forms', (req, res) => {
      req.gecko.get('/forms').then(
        (forms) => {
          outcome.resolve(forms);
          res.json(forms);
        },
        (error: unknown) => outcome.resolve(error),
      );
    });
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

  it('does not abort calls a route makes after its response is sent', async () => {
    const { emu, auth } = await setup();
    const outcome = deferred<unknown>();
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/', (req, res) => {
      const client = req.gecko;
      res.json({ accepted: true });
      client.get('/forms', { query: { per_page: 2 } }).then(outcome.resolve, outcome.resolve);
    });
    const url = await serve(app);

    expect(await (await fetch(url)).json()).toEqual({ accepted: true });

    expect(await outcome.promise).toMatchObject({ data: [{ id: 1 }, { id: 2 }] });
    expect(emu.stats.apiCalls).toBe(1);
  });

  it('passes `timeout` to the client', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const app = express();
    app.use(geckoAuth({ auth, timeout: 50 }));
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms'));
    });
    app.use(mapGeckoErrors);
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REQUEST_TIMEOUT',
      name: 'RequestTimeoutError',
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
    const app = express();
    app.use(
      geckoAuth({
        auth: async (req) => {
          const auth = tenants.get(req.get('x-tenant') ?? '');
          if (auth === undefined)
            throw Object.assign(new Error('Unknown tenant.'), { status: 404 });
          return auth;
        },
      }),
    );
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms', { query: { per_page: 1 } }));
    });
    const url = await serve(app);
    const get = (tenant: string) => fetch(`${url}/forms`, { headers: { 'x-tenant': tenant } });

    const statuses = [(await get('a')).status, (await get('b')).status, (await get('b')).status];
    const unknown = await get('c');

    expect(statuses).toEqual([200, 200, 200]);
    expect(emu.stats.apiCallsByToken.get(a.id)).toBe(1);
    expect(emu.stats.apiCallsByToken.get(b.id)).toBe(2);
    expect(unknown.status).toBe(404);
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('passes a TypeError to next() when the `auth` function returns no GeckoAuth', async () => {
    const seen: unknown[] = [];
    const app = express();
    // As plain JavaScript could: the resolver's type forbids this.
    app.use(geckoAuth({ auth: () => undefined as unknown as GeckoAuth }));
    app.get('/', (_req, res) => {
      res.send('handler ran');
    });
    app.use(((error, _req, res, _next) => {
      seen.push(error);
      res.status(500).send('failed');
    }) satisfies ErrorRequestHandler);
    const url = await serve(app);

    expect(await (await fetch(url)).text()).toBe('failed');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TypeError);
    expect(String(seen[0])).toContain('`auth`');
  });
});

describe('re-auth required', () => {
  it('with requireToken, passes ReauthRequiredError to next() and never runs the route', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const seen: unknown[] = [];
    let routeRuns = 0;
    const app = express();
    app.get('/forms', geckoAuth({ auth, requireToken: true }), (_req, res) => {
      routeRuns++;
      res.json([]);
    });
    app.use(((error, req, res, next) => {
      seen.push(error);
      mapGeckoErrors(error, req, res, next);
    }) satisfies ErrorRequestHandler);
    const url = await serve(app);

    const first = await fetch(`${url}/forms`);
    const second = await fetch(`${url}/forms`);

    expect([first.status, second.status]).toEqual([503, 503]);
    expect(await first.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(ReauthRequiredError);
    expect(seen[1]).toBe(seen[0]);
    expect(routeRuns).toBe(0);
    // The second request failed fast: GeckoForm was asked to refresh only once.
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(0);
  });

  it('without requireToken, rejects the route’s GeckoForm call with a typed error', async () => {
    const { emu, tokens, auth } = await setup();
    emu.revoke(tokens.refresh);
    emu.clock.advance(DAY + 60_000);
    const app = express();
    app.use(geckoAuth({ auth }));
    app.get('/forms', async (req, res) => {
      res.json(await req.gecko.get('/forms'));
    });
    app.use(mapGeckoErrors);
    const url = await serve(app);

    const response = await fetch(`${url}/forms`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'GECKO_REAUTH_REQUIRED',
      name: 'ReauthRequiredError',
    });
    expect(auth.status).toBe('reauth-required');
    expect(emu.stats.apiCalls).toBe(0);
  });
});

describe('options', () => {
  // Called as plain JavaScript would, since the types already forbid these.
  const create = (options: unknown) => () => geckoAuth(options as GeckoExpressOptions);

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

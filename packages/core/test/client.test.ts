import { describe, expect, it } from 'vitest';

import {
  ForeignOriginError,
  GeckoApiError,
  GeckoAuth,
  RequestAbortedError,
  RequestTimeoutError,
} from '../src/index.js';
import { DAY, HOUR, foreignServer, setup } from './helpers.js';

interface Form {
  id: number;
  name: string;
}

describe('GeckoClient', () => {
  it('sends the ID token with Accept: application/json and returns parsed JSON', async () => {
    const { emu, tokens, auth } = await setup();
    const page = await auth.client().get<{ data: Form[]; per_page: number }>('/forms', {
      query: { per_page: 15 },
    });
    expect(page.data).toHaveLength(15);
    expect(page.per_page).toBe(15);
    expect(emu.stats.requests.at(-1)).toMatchObject({
      server: 'api',
      method: 'GET',
      path: '/forms?per_page=15',
      authorization: `Bearer ${tokens.id}`,
    });
  });

  it('creates, updates and deletes with post, put, patch and delete', async () => {
    const { auth } = await setup();
    const client = auth.client();
    const created = await client.post<Form>('/forms', { name: 'Open day' });
    expect(created.name).toBe('Open day');
    await expect(
      client.put<Form>(`/forms/${created.id}`, { name: 'Open day 2' }),
    ).resolves.toMatchObject({ name: 'Open day 2' });
    await expect(
      client.patch<Form>(`/forms/${created.id}`, { name: 'Open day 3' }),
    ).resolves.toMatchObject({ name: 'Open day 3' });
    await expect(client.delete(`/forms/${created.id}`)).resolves.toBeUndefined();
    const missing = await client.get(`/forms/${created.id}`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GeckoApiError);
    expect(missing).toMatchObject({ status: 404, method: 'GET', url: `/forms/${created.id}` });
  });

  it('paginates with page/per_page until a short page', async () => {
    const { emu, auth } = await setup({}, { forms: 137 });
    const sizes: number[] = [];
    const ids = new Set<number>();
    for await (const page of auth.client().paginate<Form>('/forms', { perPage: 50 })) {
      sizes.push(page.length);
      for (const form of page) ids.add(form.id);
    }
    expect(sizes).toEqual([50, 50, 37]);
    expect(ids.size).toBe(137);
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('stops paginating on metadata that says the page was the last', async () => {
    const { emu, auth } = await setup({}, { forms: 100 });
    const sizes: number[] = [];
    for await (const page of auth.client().paginate<Form>('/forms', { perPage: 50 }))
      sizes.push(page.length);
    expect(sizes).toEqual([50, 50]);
    expect(emu.stats.apiCalls).toBe(2);
  });

  it('retries a 401 once with a refreshed token', async () => {
    const { emu, tokens, auth } = await setup();
    emu.fault('api', { status: 401 });
    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(emu.stats.refreshCalls).toBe(1);
    expect(emu.stats.apiCalls).toBe(2);
    expect(emu.stats.requests.at(-1)?.authorization).not.toBe(`Bearer ${tokens.id}`);
  });

  it('does not loop when the API keeps answering 401', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { status: 401, times: Infinity });
    const client = auth.client();
    const error = await client.get('/forms').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GECKO_API_ERROR', status: 401 });
    expect(emu.stats.apiCalls).toBe(2);
    expect(emu.stats.refreshCalls).toBe(1);

    await expect(client.get('/forms')).rejects.toMatchObject({ status: 401 });
    expect(emu.stats.apiCalls).toBe(3);
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('retries 429 on GET honouring Retry-After, but not on POST', async () => {
    const { emu, auth } = await setup({ requestRetries: 2 });
    emu.fault('api', { status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await expect(auth.client().get('/forms/2')).resolves.toMatchObject({ id: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(emu.stats.apiCalls).toBe(2);

    emu.fault('api', { status: 503 });
    await expect(auth.client().post('/forms', { name: 'x' })).rejects.toMatchObject({
      status: 503,
    });
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('retries 5xx on idempotent methods up to the limit', async () => {
    const { emu, auth } = await setup({ requestRetries: 2 });
    emu.fault('api', {
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
      times: 5,
    });
    const error = await auth
      .client()
      .get('/forms')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeckoApiError);
    expect(error).toMatchObject({ status: 502, body: '<html>bad gateway</html>' });
    expect(emu.stats.apiCalls).toBe(3);
  });

  it('times out a hung request with a typed error', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { hang: true });
    const error = await auth
      .client({ timeout: 200 })
      .get('/forms')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'GECKO_REQUEST_TIMEOUT' });
  });

  it('aborts when the client signal aborts', async () => {
    const { emu, auth } = await setup();
    emu.fault('api', { delayMs: 5_000 });
    const controller = new AbortController();
    const pending = auth
      .client({ signal: controller.signal })
      .get('/forms')
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({
      code: 'GECKO_REQUEST_ABORTED',
      message: 'GET /forms was aborted.',
    });
  });

  it('aborts a caller waiting for a refresh without failing the refresh', async () => {
    const { emu, auth } = await setup();
    emu.fault('refresh', { delayMs: 300 });
    emu.clock.advance(DAY + HOUR);
    const controller = new AbortController();
    const waiting = auth
      .client({ signal: controller.signal })
      .get('/forms')
      .catch((e: unknown) => e);
    const other = auth.client().get('/forms/1');
    controller.abort();
    expect(await waiting).toBeInstanceOf(RequestAbortedError);
    await expect(other).resolves.toMatchObject({ id: 1 });
    expect(emu.stats.refreshCalls).toBe(1);
  });
});

describe('origin scoping', () => {
  it('refuses to send the ID token to another origin', async () => {
    const { auth } = await setup();
    const foreign = await foreignServer();
    await expect(auth.client().get(`${foreign.url}/steal`)).rejects.toBeInstanceOf(
      ForeignOriginError,
    );
    await expect(auth.client().get('//evil.example/steal')).rejects.toBeInstanceOf(
      ForeignOriginError,
    );
    expect(foreign.received).toHaveLength(0);
  });

  it('accepts an absolute URL on the API origin', async () => {
    const { emu, auth } = await setup();
    await expect(auth.client().get(`${emu.apiUrl}/forms/3`)).resolves.toMatchObject({ id: 3 });
  });

  it('drops the ID token when the API redirects to another origin', async () => {
    const { emu, tokens, auth } = await setup();
    const foreign = await foreignServer();
    emu.fault('api', { redirectTo: `${foreign.url}/landing` });
    await expect(auth.client().get('/forms')).resolves.toEqual({ ok: true });
    expect(foreign.received).toHaveLength(1);
    expect(foreign.received[0]?.authorization).toBeUndefined();
    expect(JSON.stringify(foreign.received)).not.toContain(tokens.id);
  });

  it('never sends the refresh token to the API origin, nor the ID token to the refresh origin', async () => {
    const { emu, tokens, auth } = await setup();
    const client = auth.client();
    await client.get('/forms');
    emu.clock.advance(DAY + HOUR);
    await client.get('/forms');
    const current = auth.tokens;
    for (const request of emu.stats.requests) {
      if (request.server === 'api') {
        expect(request.authorization).not.toContain(tokens.refresh);
        expect(request.authorization).not.toContain(current?.refresh);
      } else {
        expect(request.authorization).toBe(`Bearer ${tokens.refresh}`);
      }
    }
    expect(emu.stats.refreshCalls).toBe(1);
  });

  it('refuses plain http to a non-loopback host unless allowed, and warns when allowed', async () => {
    const { tokens } = await setup();
    expect(() => new GeckoAuth({ apiUrl: 'http://api.example.com', tokens })).toThrow(TypeError);
    const auth = new GeckoAuth({
      apiUrl: 'http://api.example.com',
      tokens,
      allowInsecureHttp: true,
    });
    const warning = await new Promise((resolve) => auth.on('warning', resolve));
    expect(warning).toMatchObject({ code: 'insecure-http' });
  });
});

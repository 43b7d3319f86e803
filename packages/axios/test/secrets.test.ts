import type { Readable } from 'node:stream';
import { format, inspect } from 'node:util';
import axios, {
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type AxiosStatic,
} from 'axios';
import floorAxios from 'axios-floor';
import type { GeckoAuth } from '@gecko-auth/core';
import type { Fault } from '@gecko-auth/emulator';
import { describe, expect, it } from 'vitest';
import { attachGeckoAuth, createGeckoAxios } from '../src/index.ts';
import {
  authFor,
  currentId,
  until,
  type Emulator,
  type ForeignHost,
  useServers,
} from './helpers.ts';

let emu: Emulator;
let foreign: ForeignHost;
useServers((servers) => ({ emu, foreign } = servers));

/** Everything a logger is likely to print of a caught value. */
function printed(value: unknown): string {
  return `${inspect(value, { depth: 10 })}\n${JSON.stringify(value)}\n${String(value)}`;
}

async function failure(request: Promise<unknown>): Promise<unknown> {
  return request.then(
    () => expect.fail('the request should have failed'),
    (error: unknown) => error,
  );
}

describe('the ID token stays out of logged errors and responses', () => {
  it('control: an AxiosError from a plain instance prints the token it sent', async () => {
    const { tokens } = await authFor(emu);
    emu.fault('api', { status: 500 });

    const error = await failure(
      axios.get(`${emu.apiUrl}/forms`, { headers: { Authorization: `Bearer ${tokens.id}` } }),
    );

    expect(inspect(error, { depth: 10 })).toContain(tokens.id);
    expect(JSON.stringify(error)).toContain(tokens.id);
  });

  it('a 5xx AxiosError: config header redacted, raw request replaced by a summary', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 500 });

    const error = await failure(gecko.get('/forms'));

    expect(axios.isAxiosError(error)).toBe(true);
    if (!axios.isAxiosError(error)) return;
    expect(error.response?.status).toBe(500);
    expect(printed(error)).not.toContain(tokens.id);
    expect(error.config?.headers.Authorization).toBe('[REDACTED]');
    expect(printed(error)).toContain('[REDACTED]');
    expect(error.request).toEqual({
      method: 'GET',
      url: `${emu.apiUrl}/forms`,
      host: new URL(emu.apiUrl).host,
      path: '/forms',
    });
    expect(error.response?.request).toBe(error.request);
    expect(Object.isFrozen(error.request)).toBe(true);
  });

  it('an error body that quotes the token: the token is blanked out of the data', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 400, body: JSON.stringify({ Message: `Bearer ${tokens.id}` }) });

    const error = await failure(gecko.get('/forms'));

    expect(axios.isAxiosError(error) && error.response?.data).toEqual({
      Message: 'Bearer [redacted]',
    });
    expect(printed(error)).not.toContain(tokens.id);
    expect(format('%o', error)).not.toContain(tokens.id);
  });

  it('a 401 that could not be fixed: neither the old nor the new token is printed', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 401, times: Infinity });

    const error = await failure(gecko.get('/forms'));

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(currentId(auth)).not.toBe(tokens.id);
    expect(printed(error)).not.toContain(tokens.id);
    expect(printed(error)).not.toContain(currentId(auth));
  });

  it('a 401 passed through with retryOnUnauthorized: false', async () => {
    const { auth, tokens } = await authFor(emu);
    const instance = axios.create({ baseURL: emu.apiUrl });
    attachGeckoAuth(instance, auth, { retryOnUnauthorized: false });
    emu.fault('api', { status: 401 });

    const error = await failure(instance.post('/forms', { name: 'x' }));

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(printed(error)).not.toContain(tokens.id);
  });

  it('a connection reset and a timeout', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth, { timeout: 200 });
    emu.fault('api', { reset: true });
    emu.fault('api', { hang: true });

    const reset = await failure(gecko.get('/forms/1'));
    const timeout = await failure(gecko.get('/forms/2'));

    expect(axios.isAxiosError(reset) && reset.code).toBe('ECONNRESET');
    expect(axios.isAxiosError(timeout) && timeout.code).toBe('ECONNABORTED');
    expect(printed(reset)).not.toContain(tokens.id);
    expect(printed(timeout)).not.toContain(tokens.id);
  });

  it('a successful response', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);

    const response = await gecko.get('/forms/1');

    expect(response.status).toBe(200);
    expect(inspect(response, { depth: 10 })).not.toContain(tokens.id);
    expect(response.request).toBeDefined();
  });

  it('a re-sent error config goes out with a valid token again', async () => {
    const { auth, tokens } = await authFor(emu);
    const gecko = createGeckoAxios(auth);
    emu.fault('api', { status: 503 });

    const error = await failure(gecko.get('/forms/5'));
    if (!axios.isAxiosError(error) || error.config === undefined) throw error;
    const { data } = await gecko.request<{ id: number }>(error.config);

    expect(data.id).toBe(5);
    expect(emu.stats.apiCallsByToken.get(tokens.id)).toBe(2);
  });
});

/** Every way a logger or error reporter is likely to render a caught value. */
function renderings(value: unknown): string[] {
  const toJSON: unknown =
    typeof value === 'object' && value !== null ? Reflect.get(value, 'toJSON') : undefined;
  return [
    inspect(value, { showHidden: true, depth: 20 }),
    format('%o', value),
    JSON.stringify(value, circularAsMarker()) ?? '',
    typeof toJSON === 'function' ? JSON.stringify(Reflect.apply(toJSON, value, [])) : '',
  ];
}

/** JSON.stringify of a raw request object would throw on its cycles: mark them instead. */
function circularAsMarker() {
  const seen = new WeakSet<object>();
  return (_key: string, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    return value;
  };
}

type Outcome = { name: string; value: unknown };

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** The instances the scan runs on: the newest axios with each Node adapter, and the oldest one the
 * peer range allows (1.6.0, http only: its fetch adapter came later). */
const clients: [string, 'http' | 'fetch', (auth: GeckoAuth) => AxiosInstance][] = [
  ['http adapter', 'http', (auth) => createGeckoAxios(auth, { adapter: 'http' })],
  ['fetch adapter', 'fetch', (auth) => createGeckoAxios(auth, { adapter: 'fetch' })],
  [
    'axios 1.6.0',
    'http',
    (auth) => {
      const instance = (floorAxios as unknown as AxiosStatic).create({ baseURL: auth.apiUrl });
      attachGeckoAuth(instance, auth);
      return instance;
    },
  ],
];

describe.each(clients)('no rendering shows the token, %s', (_name, adapter, client) => {
  it('of any response or error: success, 4xx, 5xx, 401s, timeout, reset, abort, redirects', async () => {
    const auths: GeckoAuth[] = [];
    const secrets: string[] = [];
    const outcomes: Outcome[] = [];
    /** Run `request` on a GeckoAuth of its own, after queueing `faults`; record its outcome. */
    const scenario = async (
      name: string,
      faults: Fault[],
      request: (gecko: AxiosInstance) => Promise<unknown>,
    ) => {
      const { auth, tokens } = await authFor(emu);
      auths.push(auth);
      secrets.push(tokens.id);
      emu.clearFaults();
      for (const fault of faults) emu.fault('api', fault);
      const value = await request(client(auth)).catch((error: unknown) => error);
      outcomes.push({ name, value });
    };
    const get = (path: string, config?: AxiosRequestConfig) => (gecko: AxiosInstance) =>
      gecko.get(path, config);

    await scenario('success', [], get('/forms/1'));
    await scenario('404', [], get('/forms/999'));
    await scenario('500', [{ status: 500 }], get('/forms/1'));
    await scenario('success after a 401 retry', [{ status: 401 }], get('/forms/2'));
    await scenario('401 after the retry', [{ status: 401, times: 2 }], get('/forms/3'));
    await scenario('timeout', [{ hang: true }], get('/forms/4', { timeout: 200 }));
    await scenario('reset', [{ reset: true }], get('/forms/5'));
    await scenario('abort in flight', [{ hang: true }], abortedInFlight);
    const to = (path: string) => [{ redirectTo: new URL(path, foreign.url).href }];
    await scenario('redirect to a foreign 500', to('/status/500'), get('/forms/6'));
    await scenario('redirect to a foreign 401', to('/status/401'), get('/forms/6'));
    const toApi = { redirectTo: `${emu.apiUrl}/forms/7` };
    await scenario('redirect not followed', [toApi], get('/forms/6', { maxRedirects: 0 }));
    const loop = { redirectTo: `${emu.apiUrl}/forms/8`, times: Infinity };
    await scenario('redirect loop', [loop], get('/forms/8', { maxRedirects: 2 }));
    await scenario('stream', [], get('/forms/9', { responseType: 'stream' }));
    // Last: the refresh it starts hangs until the emulator closes.
    await scenario('timeout waiting for the refresh after a 401', [{ status: 401 }], (gecko) => {
      emu.fault('refresh', { hang: true });
      return gecko.get('/forms/11', { timeout: 300 });
    });

    secrets.push(...auths.map(currentId));
    const leaks = outcomes.flatMap(({ name, value }) =>
      renderings(value).flatMap((text, i) =>
        secrets.some((secret) => text.includes(secret)) ? [`${name} (rendering ${i})`] : [],
      ),
    );
    expect(leaks).toEqual([]);

    // Each scenario produced what it names, with `request` kept where axios has one.
    const byName = new Map(outcomes.map(({ name, value }) => [name, value]));
    const summary = (name: string) => {
      const value = byName.get(name);
      if (axios.isAxiosError(value)) {
        const { code, response, request } = value;
        return { code, status: response?.status, sent: Boolean(request) };
      }
      return { status: (value as AxiosResponse).status };
    };
    expect(summary('success')).toEqual({ status: 200 });
    expect(summary('404')).toMatchObject({ status: 404 });
    expect(summary('500')).toMatchObject({ status: 500 });
    expect(summary('success after a 401 retry')).toEqual({ status: 200 });
    expect(summary('401 after the retry')).toMatchObject({ status: 401 });
    expect(summary('timeout')).toEqual({
      code: adapter === 'http' ? 'ECONNABORTED' : 'ETIMEDOUT',
      status: undefined,
      sent: true,
    });
    expect(summary('reset')).toMatchObject({ status: undefined, sent: true });
    expect(summary('abort in flight')).toEqual({
      code: 'ERR_CANCELED',
      status: undefined,
      sent: true,
    });
    expect(summary('redirect to a foreign 500')).toMatchObject({ status: 500 });
    expect(summary('redirect to a foreign 401')).toMatchObject({ status: 401 });
    expect(summary('redirect not followed')).toMatchObject({ status: 302 });
    expect(summary('redirect loop').status).toBeUndefined();
    expect(summary('stream')).toEqual({ status: 200 });
    expect(summary('timeout waiting for the refresh after a 401')).toEqual({
      code: adapter === 'http' ? 'ECONNABORTED' : 'ETIMEDOUT',
      status: undefined,
      sent: false,
    });
    expect(emu.stats.refreshCalls).toBe(3);

    const stream = byName.get('stream') as AxiosResponse<Readable | ReadableStream>;
    const body =
      adapter === 'http'
        ? await readAll(stream.data as Readable)
        : await new Response(stream.data as ReadableStream).text();
    expect(JSON.parse(body)).toMatchObject({ id: 9 });
  });
});

async function abortedInFlight(gecko: AxiosInstance): Promise<unknown> {
  const controller = new AbortController();
  const request = gecko.get('/forms/10', { signal: controller.signal });
  await until(() => emu.stats.requests.some((entry) => entry.path === '/forms/10'));
  controller.abort();
  return request;
}

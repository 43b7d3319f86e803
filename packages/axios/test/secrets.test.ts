import { inspect } from 'node:util';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attachGeckoAuth, createGeckoAxios } from '../src/index.ts';
import { authFor, currentId, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ forms: 40 });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.clearFaults();
  emu.resetStats();
});

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

  it('a 5xx AxiosError: config header redacted, raw request hidden but still reachable', async () => {
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
    expect(error.request).toBeDefined();
    expect(error.response?.request).toBeDefined();
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

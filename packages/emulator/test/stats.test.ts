import { afterEach, beforeEach, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TokenTriple } from '../src/index.ts';
import { apiGet, readPascalTokens, refreshWith } from './helpers.ts';

let emulator: Emulator;
let tokens: TokenTriple;

beforeEach(async () => {
  emulator = await startEmulator();
  tokens = await emulator.issueTokens();
});
afterEach(() => emulator.close());

it('counts refreshes and API calls, per token, as they happen', async () => {
  const { stats } = emulator;
  await apiGet(emulator, '/forms', tokens.id);
  await apiGet(emulator, '/forms?page=2', tokens.id);
  await apiGet(emulator, '/forms', tokens.refresh);
  const next = await readPascalTokens(await refreshWith(emulator, tokens.refresh));
  await refreshWith(emulator, tokens.id);
  await apiGet(emulator, '/forms/1', next.id);
  await fetch(`${emulator.apiUrl}/forms`);

  expect(stats).toMatchObject({
    refreshCalls: 2,
    successfulRefreshes: 1,
    apiCalls: 5,
    unauthorizedApiCalls: 2,
  });
  expect([...stats.apiCallsByToken]).toEqual([
    [tokens.id, 2],
    [tokens.refresh, 1],
    [next.id, 1],
  ]);
});

it('logs every request with server, method, path and authorization, in order', async () => {
  await apiGet(emulator, '/forms?page=3&per_page=5', tokens.id);
  await refreshWith(emulator, tokens.refresh, { method: 'POST' });
  await fetch(`${emulator.accountUrl}/elsewhere`);

  expect(emulator.stats.requests).toEqual([
    {
      server: 'api',
      method: 'GET',
      path: '/forms?page=3&per_page=5',
      authorization: `Bearer ${tokens.id}`,
    },
    {
      server: 'account',
      method: 'POST',
      path: '/tokens/refresh',
      authorization: `Bearer ${tokens.refresh}`,
    },
    { server: 'account', method: 'GET', path: '/elsewhere', authorization: undefined },
  ]);
  expect(emulator.stats.refreshCalls).toBe(1);
});

it('counts faulted requests, and a faulted 401 as unauthorized', async () => {
  emulator.fault('api', { status: 401 });
  emulator.fault('refresh', { status: 500, times: 2 });
  await apiGet(emulator, '/forms', tokens.id);
  await refreshWith(emulator, tokens.refresh);
  await refreshWith(emulator, tokens.refresh);

  expect(emulator.stats).toMatchObject({
    apiCalls: 1,
    unauthorizedApiCalls: 1,
    refreshCalls: 2,
    successfulRefreshes: 0,
  });
  expect(emulator.stats.requests).toHaveLength(3);
});

it('resetStats() zeroes the same live object', async () => {
  const { stats } = emulator;
  const byToken = stats.apiCallsByToken;
  await apiGet(emulator, '/forms', tokens.id);
  await refreshWith(emulator, tokens.refresh);

  emulator.resetStats();
  expect(stats).toEqual({
    refreshCalls: 0,
    successfulRefreshes: 0,
    apiCalls: 0,
    apiCallsByToken: new Map(),
    unauthorizedApiCalls: 0,
    requests: [],
  });
  expect(emulator.stats).toBe(stats);
  expect(emulator.stats.apiCallsByToken).toBe(byToken);

  await apiGet(emulator, '/forms', tokens.id);
  expect(stats.apiCalls).toBe(1);
});

import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { startEmulator, type EmulatorOptions } from '../src/index.ts';
import { apiGet, bearer, DAY_MS } from './helpers.ts';

// close() must not wait for idle keep-alive sockets (Node's default keeps them 5 s) or for hung
// requests (forever); finishing well inside this bound proves the sockets were destroyed.
const CLOSE_BOUND_MS = 2_000;

async function closesPromptly(close: () => Promise<void>): Promise<boolean> {
  const timeout = sleep(CLOSE_BOUND_MS).then(() => false);
  return Promise.race([close().then(() => true), timeout]);
}

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('close()', () => {
  it('finishes while a hung request is still open, and that request then fails', async () => {
    const emulator = await startEmulator();
    const { id } = await emulator.issueTokens();
    emulator.fault('api', { hang: true });
    const hung = apiGet(emulator, '/forms', id);
    await vi.waitFor(() => expect(emulator.stats.apiCalls).toBe(1));

    expect(await closesPromptly(() => emulator.close())).toBe(true);
    await expect(hung).rejects.toThrow(TypeError);
  });

  it('finishes with idle keep-alive connections and pending delays', async () => {
    const emulator = await startEmulator();
    const { id } = await emulator.issueTokens();
    expect((await apiGet(emulator, '/forms', id)).status).toBe(200);
    emulator.fault('refresh', { delayMs: 60_000 });
    const delayed = fetch(emulator.refreshUrl).catch((error: unknown) => error);
    await vi.waitFor(() => expect(emulator.stats.refreshCalls).toBe(1));

    expect(await closesPromptly(() => emulator.close())).toBe(true);
    expect(await delayed).toBeInstanceOf(TypeError);
  });

  it('can be called twice, and the servers are gone afterwards', async () => {
    const emulator = await startEmulator();
    await emulator.close();
    await emulator.close();

    await expect(fetch(`${emulator.apiUrl}/forms`)).rejects.toThrow(TypeError);
    await expect(fetch(emulator.refreshUrl)).rejects.toThrow(TypeError);
  });
});

describe('options', () => {
  it('listens on the given host and ports', async () => {
    const a = await occupiedPort();
    const b = await occupiedPort();
    await Promise.all([a, b].map(({ server }) => new Promise((r) => server.close(r))));
    const emulator = await startEmulator({ accountPort: a.port, apiPort: b.port });

    expect(emulator.accountUrl).toBe(`http://127.0.0.1:${a.port}`);
    expect(emulator.refreshUrl).toBe(`http://127.0.0.1:${a.port}/tokens/refresh`);
    expect(emulator.apiUrl).toBe(`http://127.0.0.1:${b.port}`);
    await emulator.close();
  });

  it('rejects when a port is taken', async () => {
    const taken = await occupiedPort();
    try {
      await expect(startEmulator({ apiPort: taken.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      taken.server.close();
    }
  });

  it.each<[string, EmulatorOptions]>([
    ['host', { host: '' }],
    ['accountPort', { accountPort: 70_000 }],
    ['apiPort', { apiPort: -1 }],
    ['idTokenTtl', { idTokenTtl: 1.5 }],
    ['refreshTokenTtl', { refreshTokenTtl: 0 }],
    ['startTime', { startTime: Number.NaN }],
    ['forms', { forms: -3 }],
    ['refreshResponseShape', { refreshResponseShape: 'xml' as 'pascal' }],
  ])('throws a TypeError naming %s', async (name, options) => {
    await expect(startEmulator(options)).rejects.toThrow(new RegExp(`options\\.${name}`));
  });
});

describe('clock', () => {
  it('starts at startTime, runs, and can be advanced and set', async () => {
    const start = Date.UTC(2030, 0, 1);
    const emulator = await startEmulator({ startTime: start });
    try {
      expect(emulator.clock.now() - start).toBeGreaterThanOrEqual(0);
      expect(emulator.clock.now() - start).toBeLessThan(5_000);

      emulator.clock.advance(DAY_MS);
      expect(emulator.clock.now() - start - DAY_MS).toBeGreaterThanOrEqual(0);
      emulator.clock.set(start);
      expect(emulator.clock.now() - start).toBeLessThan(5_000);
      expect(() => emulator.clock.advance(-1)).toThrow(TypeError);
      expect(() => emulator.clock.set(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    } finally {
      await emulator.close();
    }
  });
});

describe('control routes', () => {
  it('advance the clock and mint tokens over HTTP', async () => {
    const emulator = await startEmulator();
    try {
      const before = emulator.clock.now();
      const advanced = await fetch(`${emulator.accountUrl}/__emulator/advance?ms=${DAY_MS}`, {
        method: 'POST',
      });
      const { now } = (await advanced.json()) as { now: number };
      expect(now - before).toBeGreaterThanOrEqual(DAY_MS);

      const minted = await fetch(`${emulator.accountUrl}/__emulator/tokens`, { method: 'POST' });
      const tokens = (await minted.json()) as { id: string; refresh: string };
      expect((await apiGet(emulator, '/forms', tokens.id)).status).toBe(200);
      expect((await fetch(emulator.refreshUrl, { headers: bearer(tokens.refresh) })).status).toBe(
        200,
      );

      const bad = await fetch(`${emulator.accountUrl}/__emulator/advance?ms=-5`, {
        method: 'POST',
      });
      expect(bad.status).toBe(400);
      expect((await fetch(`${emulator.accountUrl}/__emulator/tokens`)).status).toBe(405);
    } finally {
      await emulator.close();
    }
  });
});

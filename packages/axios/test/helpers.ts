import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GeckoAuth, type GeckoAuthOptions } from '@gecko-auth/core';
import { startEmulator, type Emulator, type TokenTriple } from '@gecko-auth/emulator';

/** Past a default ID token's one-day life, well short of the refresh token's 30 days. */
export const PAST_ID_EXPIRY_MS = 25 * 60 * 60 * 1000;

export { startEmulator, type Emulator };

/** A GeckoAuth on the emulator's servers and clock, with fresh tokens. */
export async function authFor(
  emu: Emulator,
  options: Partial<GeckoAuthOptions> = {},
): Promise<{ auth: GeckoAuth; tokens: TokenTriple }> {
  const tokens = await emu.issueTokens();
  const auth = new GeckoAuth({
    tokens,
    apiUrl: emu.apiUrl,
    refreshUrl: emu.refreshUrl,
    clock: { now: () => emu.clock.now() },
    ...options,
  });
  return { auth, tokens };
}

/** The ID token GeckoAuth holds now. */
export function currentId(auth: GeckoAuth): string {
  const id = auth.tokens?.id;
  if (id === undefined) throw new Error('GeckoAuth has not loaded tokens yet');
  return id;
}

/** What a foreign host saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
}

/**
 * A server on another origin than the API (a "foreign host") that records what it receives. It
 * answers 200, or the status a path `/status/<code>` names.
 */
export interface ForeignHost {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startForeignHost(): Promise<ForeignHost> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
      accept: req.headers.accept,
    });
    const status = /^\/status\/(\d{3})\b/.exec(req.url ?? '')?.[1];
    res.statusCode = status === undefined ? 200 : Number(status);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ host: 'foreign' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Wait until `condition` holds; the test's own timeout bounds the wait. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Requests the API server received, as `[path, token or undefined]` pairs. */
export function apiLog(emu: Emulator): [string, string | undefined][] {
  return emu.stats.requests
    .filter((entry) => entry.server === 'api')
    .map((entry) => [entry.path, entry.authorization?.replace(/^Bearer /, '')]);
}

/** The servers a test file shares: the emulator (40 forms) and a foreign host. */
export interface SharedServers {
  emu: Emulator;
  foreign: ForeignHost;
}

/**
 * Start the shared servers before the file's tests, hand them to `assign`, reset faults, stats and
 * the foreign host's log before each test, and close them after the file.
 */
export function useServers(assign: (servers: SharedServers) => void): void {
  let servers: SharedServers | undefined;
  beforeAll(async () => {
    servers = { emu: await startEmulator({ forms: 40 }), foreign: await startForeignHost() };
    assign(servers);
  });
  afterAll(async () => {
    await Promise.all([servers?.emu.close(), servers?.foreign.close()]);
  });
  beforeEach(() => {
    servers?.emu.clearFaults();
    servers?.emu.resetStats();
    if (servers !== undefined) servers.foreign.seen.length = 0;
  });
}

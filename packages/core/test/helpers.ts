import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startEmulator, type Emulator, type EmulatorOptions } from '@gecko-auth/emulator';
import { afterEach } from 'vitest';

import { GeckoAuth, type GeckoAuthOptions, type GeckoTokens } from '../src/index.js';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A running emulator, closed after the test. */
export async function emulator(options?: EmulatorOptions): Promise<Emulator> {
  const emu = await startEmulator(options);
  cleanups.push(() => emu.close());
  return emu;
}

/** A GeckoAuth wired to `emu`, on the emulator's clock, closed after the test. */
export function authFor(
  emu: Emulator,
  tokens: GeckoTokens | undefined,
  options: Partial<GeckoAuthOptions> = {},
): GeckoAuth {
  const auth = new GeckoAuth({
    apiUrl: emu.apiUrl,
    refreshUrl: emu.refreshUrl,
    clock: emu.clock,
    ...(tokens === undefined ? {} : { tokens }),
    ...options,
  });
  cleanups.push(() => auth.close());
  return auth;
}

/** An emulator with a fresh token triple and a GeckoAuth for it. */
export async function setup(
  options: Partial<GeckoAuthOptions> = {},
  emulatorOptions?: EmulatorOptions,
) {
  const emu = await emulator(emulatorOptions);
  const tokens = await emu.issueTokens();
  const auth = authFor(emu, tokens, options);
  return { emu, tokens, auth };
}

/** A plain HTTP server on port 0 that records what it receives: the "other host" in origin tests. */
export async function foreignServer(): Promise<{ url: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    received.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

/** Resolve once `auth` emits `event`. */
export function nextEvent<K extends 'refresh' | 'error' | 'reauth-required' | 'warning'>(
  auth: GeckoAuth,
  event: K,
) {
  return new Promise((resolve) => {
    const off = auth.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

import { Server } from 'node:http';

import { GeckoAuth, type GeckoTokens } from '@gecko-auth/core';
import { startEmulator, type Emulator } from '@gecko-auth/emulator';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterEach } from 'vitest';

export const DAY = 24 * 60 * 60 * 1000;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A running emulator with one issued token set and a GeckoAuth on the emulator's clock. */
export async function setup(): Promise<{ emu: Emulator; tokens: GeckoTokens; auth: GeckoAuth }> {
  const emu = await startEmulator();
  cleanups.push(() => emu.close());
  const tokens = await emu.issueTokens();
  return { emu, tokens, auth: authFor(emu, tokens) };
}

/** A GeckoAuth for `tokens` that talks to `emu` and reads its clock. */
export function authFor(emu: Emulator, tokens: GeckoTokens): GeckoAuth {
  const auth = new GeckoAuth({
    tokens,
    apiUrl: emu.apiUrl,
    refreshUrl: emu.refreshUrl,
    clock: { now: () => emu.clock.now() },
  });
  cleanups.push(() => auth.close());
  return auth;
}

/** Serve `app` with @hono/node-server on a free port until the test ends; resolves to its URL. */
export async function serveNode(app: Hono): Promise<string> {
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(info.port),
    );
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (server instanceof Server) server.closeAllConnections();
        server?.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${port}`;
}

/** A promise with its resolve function outside, for settling from inside a route. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Poll until `condition` holds; throws after `attempts` checks 10 ms apart. */
export async function until(condition: () => boolean, attempts = 500): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('Condition not met in time.');
}

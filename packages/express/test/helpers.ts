import { createServer } from 'node:http';

import { GeckoAuth, type GeckoTokens } from '@gecko-auth/core';
import type { Emulator } from '@gecko-auth/emulator';
import { listen, onCleanup, startTestEmulator } from '@gecko-auth/test-support';
import type { Express } from 'express';

export { DAY, deferred, until } from '@gecko-auth/test-support';

/** A running emulator with one issued token set and a GeckoAuth on the emulator's clock. */
export async function setup(): Promise<{ emu: Emulator; tokens: GeckoTokens; auth: GeckoAuth }> {
  const emu = await startTestEmulator();
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
  onCleanup(() => auth.close());
  return auth;
}

/** Serve `app` on a free port until the test ends; resolves to its base URL. */
export function serve(app: Express): Promise<string> {
  return listen(createServer(app));
}

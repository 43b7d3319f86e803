import type { Emulator, EmulatorOptions } from '@gecko-auth/emulator';
import { onCleanup, startTestEmulator } from '@gecko-auth/test-support';

import { GeckoAuth, type GeckoAuthOptions, type GeckoTokens } from '../src/index.js';

export { DAY, HOUR, foreignServer } from '@gecko-auth/test-support';

/** A running emulator, closed after the test. */
export const emulator = (options?: EmulatorOptions): Promise<Emulator> =>
  startTestEmulator(options);

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
  onCleanup(() => auth.close());
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

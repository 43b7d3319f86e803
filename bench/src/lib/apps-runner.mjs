/** Starting the app servers and the emulator as child processes. */
import { startChild } from './child.mjs';

/** An emulator in its own process. */
export function startEmulatorChild(options = {}) {
  return startChild('emulator.mjs', { env: { BENCH_EMULATOR_OPTIONS: JSON.stringify(options) } });
}

/**
 * A framework app in its own process.
 *
 * @param {{ framework: string, variant: 'bare' | 'timeout' | 'gecko', tokens: object, apiUrl: string,
 *   refreshUrl: string }} config
 * @param {string[]} [execArgv]
 */
export function startAppChild(config, execArgv = ['--expose-gc']) {
  return startChild('app-server.mjs', { env: { BENCH_APP: JSON.stringify(config) }, execArgv });
}

/** Close every child, even if some fail to close. */
export async function closeAll(children) {
  await Promise.allSettled(children.filter(Boolean).map((child) => child.close()));
}

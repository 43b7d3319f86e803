/**
 * The benchmarks load the packages' built `dist`. A build running elsewhere (tsdown empties `dist`
 * before writing it) can make an entry vanish for a few seconds: wait for every entry to exist.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const PACKAGES = [
  '@gecko-auth/core',
  '@gecko-auth/core/node',
  '@gecko-auth/emulator',
  '@gecko-auth/axios',
  '@gecko-auth/express',
  '@gecko-auth/koa',
  '@gecko-auth/hono',
  '@gecko-auth/redis',
];
const WAIT_MS = 60_000;

/** Resolve once every package entry file exists; reject after a minute, naming the missing. */
export async function waitForDist() {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const missing = PACKAGES.filter((name) => !entryExists(name));
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`not built: ${missing.join(', ')} (run \`pnpm bench\` from the repo root)`);
    }
    await sleep(500);
  }
}

function entryExists(name) {
  try {
    return existsSync(fileURLToPath(import.meta.resolve(name)));
  } catch {
    return false;
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { lock as lockFile } from 'proper-lockfile';

import { StoreError } from '../errors.js';
import { sleep } from '../retry.js';

/** How a lock is taken and given up on. */
export interface FileLockSettings {
  /** A lock not refreshed for this long belongs to a dead process and is taken over. */
  staleMs: number;
  /** Pause between attempts while another process holds the lock (randomized ±50%). */
  retryMs: number;
}

interface Held {
  compromised: boolean;
}

/** The locks the current async context holds, by path. */
const held = new AsyncLocalStorage<ReadonlyMap<string, Held>>();

/**
 * Run `work` while holding the cross-process lock on `path` (a `<path>.lock` directory kept fresh
 * by proper-lockfile). Re-entrant within one async context: the store's `save` runs inside the
 * `lock` that core wraps around a refresh, and the lock itself is not re-entrant.
 */
export async function withFileLock<T>(
  path: string,
  settings: FileLockSettings,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<T> {
  const outer = held.getStore();
  const mine = outer?.get(path);
  if (mine !== undefined && !mine.compromised) return work();

  const state: Held = { compromised: false };
  const release = await acquire(path, settings, signal, state);
  if (signal.aborted) {
    // The caller gave up while the lock was being taken: nobody will run the work, so let go.
    await release().catch(() => undefined);
    signal.throwIfAborted();
  }
  try {
    return await held.run(new Map(outer).set(path, state), work);
  } finally {
    // After a takeover the lock is no longer ours and releasing it fails; nothing is left to undo.
    await release().catch(() => undefined);
  }
}

async function acquire(
  path: string,
  { staleMs, retryMs }: FileLockSettings,
  signal: AbortSignal,
  state: Held,
): Promise<() => Promise<void>> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreError(`Could not create the directory of token file ${path}.`, { cause: error });
  }

  for (;;) {
    signal.throwIfAborted();
    try {
      return await lockFile(path, {
        realpath: false,
        stale: staleMs,
        retries: 0,
        // Called when this process stalled past `staleMs` and another took the lock over. The
        // default throws from a timer and would crash the process; instead a later `save` takes
        // the lock afresh, and a duplicate refresh is harmless (old tokens stay valid).
        onCompromised: () => {
          state.compromised = true;
        },
      });
    } catch (error) {
      if (!isLockedError(error)) {
        throw new StoreError(`Could not lock token file ${path}.`, { cause: error });
      }
    }
    await sleep(retryMs * (0.5 + Math.random()), signal);
  }
}

function isLockedError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ELOCKED';
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { GeckoAuthError, StoreError } from '../errors.js';
import type { SaveOptions, TokenStore } from '../store.js';
import { TokenSet, type GeckoTokens } from '../tokens.js';
import { removeLeftovers, writeFileAtomic } from './atomic-write.js';
import { decodeTokenFile, encodeTokenFile } from './file-format.js';
import { withFileLock, type FileLockSettings } from './file-lock.js';

/** A live lock holder refreshes its lock every `staleMs / 2`; one silent this long has died. */
const DEFAULT_STALE_MS = 10_000;
/** proper-lockfile will not go lower: below this, a busy event loop looks like a dead holder. */
const MIN_STALE_MS = 2_000;
/** Short enough that a waiter picks up a finished refresh quickly; a retry is one `mkdir`. */
const DEFAULT_RETRY_MS = 50;
/** Longer than core's default refresh timeout (30 s), the longest a refresh holds the lock. */
const DEFAULT_LOCK_WAIT_MS = 45_000;

/**
 * Options of {@link FileStore}.
 *
 * @example
 * ```ts
 * const store = new FileStore('/var/lib/app/gecko-tokens.json', { staleMs: 5_000 });
 * ```
 */
export interface FileStoreOptions {
  /** A lock whose holder stopped refreshing it this long ago is taken over. Default 10 s, min 2 s. */
  staleMs?: number;
  /** Pause between attempts to take a held lock, in ms (randomized ±50%). Default 50. */
  retryMs?: number;
  /** How long `save` waits for the lock before failing. Default 45 s. `lock` waits for its signal. */
  lockWaitMs?: number;
}

/**
 * A token store in a JSON file, shared safely by every process on the machine. Writes are atomic
 * (temporary file, fsync, rename), the file is readable by its owner only (mode 0600), a saved set
 * is never replaced by an older one, and a refresh runs under a lock between processes so one
 * refreshes while the others read its result. A lock left by a crashed process is taken over once
 * stale.
 *
 * A corrupt file is never overwritten: `load` and `save` fail with a {@link StoreError} naming it.
 *
 * @example
 * ```ts
 * import { GeckoAuth } from '@gecko-auth/core';
 * import { FileStore } from '@gecko-auth/core/node';
 *
 * const auth = new GeckoAuth({ region: 'eu', tokens, store: new FileStore('.gecko-tokens.json') });
 * ```
 */
export class FileStore implements TokenStore {
  /** Absolute path of the token file. The lock is the directory `<path>.lock` beside it. */
  readonly path: string;
  readonly #lock: FileLockSettings;
  readonly #lockWaitMs: number;

  /** @throws {TypeError} for an empty path or an invalid option, naming it. */
  constructor(path: string, options: FileStoreOptions = {}) {
    if (typeof path !== 'string' || path.trim() === '') {
      throw new TypeError('FileStore needs the `path` of its token file.');
    }
    this.path = resolve(path);
    this.#lock = {
      staleMs: positive(options.staleMs, DEFAULT_STALE_MS, 'staleMs', MIN_STALE_MS),
      retryMs: positive(options.retryMs, DEFAULT_RETRY_MS, 'retryMs', 1),
    };
    this.#lockWaitMs = positive(options.lockWaitMs, DEFAULT_LOCK_WAIT_MS, 'lockWaitMs', 1);
  }

  /** The saved tokens, or `undefined` when the file does not exist yet. */
  async load(): Promise<GeckoTokens | undefined> {
    const text = await this.#read();
    return text === undefined ? undefined : decodeTokenFile(text, this.path).toTokens();
  }

  /**
   * Write `tokens` unless the file already holds the same or a newer set; with `replace` (a new
   * API token installed by `auth.setTokens`), write it whatever the stored set. A corrupt file is
   * refused either way.
   */
  async save(tokens: GeckoTokens, options: SaveOptions = {}): Promise<void> {
    const next = TokenSet.from(tokens);
    const signal = AbortSignal.timeout(this.#lockWaitMs);
    try {
      await withFileLock(this.path, this.#lock, signal, async () => {
        const text = await this.#read();
        const stored = text === undefined ? undefined : decodeTokenFile(text, this.path);
        if (stored !== undefined && options.replace !== true && !stored.isOlderThan(next)) return;

        try {
          await removeLeftovers(this.path);
          await writeFileAtomic(this.path, encodeTokenFile(next, new Date()));
        } catch (error) {
          throw new StoreError(`Could not write token file ${this.path}.`, { cause: error });
        }
      });
    } catch (error) {
      if (error instanceof GeckoAuthError || !signal.aborted) throw error;
      throw new StoreError(
        `Waited ${this.#lockWaitMs} ms for the lock on token file ${this.path}; ` +
          'another process holds it.',
        { cause: error },
      );
    }
  }

  /** Run `work` (core's refresh) holding the lock shared by every process using this file. */
  lock<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return withFileLock(this.path, this.#lock, signal, work);
  }

  async #read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new StoreError(`Could not read token file ${this.path}.`, { cause: error });
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`FileStore option \`${name}\` must be a number of ms, at least ${min}.`);
  }
  return value;
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { resultOf, spawnChild } from '@gecko-auth/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TokenSet } from '../src/index.js';
import { FileStore } from '../src/node.js';
import { DAY, HOUR, emulator } from './helpers.js';

/** Run `test/fixtures/<name>.ts` in its own process. */
const spawnFixture = (name: string, input: unknown) =>
  spawnChild(new URL(`./fixtures/${name}.ts`, import.meta.url), input);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gecko-file-procs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface RefreshResult {
  fingerprint: string;
  idsAreFinal: boolean;
  fullPages: number;
}

const CHILDREN = 6;
const REQUESTS = 40;

describe('FileStore shared by several processes', () => {
  it('refreshes an expired token exactly once for all of them; all end with the same tokens', async () => {
    const emu = await emulator();
    const original = await emu.issueTokens();
    const path = join(dir, 'tokens.json');
    await new FileStore(path).save(original);
    emu.clock.advance(DAY + HOUR);

    const input = {
      path,
      apiUrl: emu.apiUrl,
      refreshUrl: emu.refreshUrl,
      clockOffset: emu.clock.now() - Date.now(),
      requests: REQUESTS,
    };
    const children = Array.from({ length: CHILDREN }, () => spawnFixture('refresh-child', input));
    const results = await Promise.all(children.map((child) => resultOf<RefreshResult>(child)));

    expect(emu.stats.refreshCalls).toBe(1);
    const stored = await new FileStore(path).load();
    expect(stored?.id).not.toBe(original.id);
    const fingerprint = createHash('sha256').update(JSON.stringify(stored)).digest('hex');
    for (const result of results) {
      expect(result).toEqual({ fingerprint, idsAreFinal: true, fullPages: REQUESTS });
    }
    expect(emu.stats.apiCallsByToken.get(stored?.id ?? '')).toBe(CHILDREN * REQUESTS);
    expect(emu.stats.unauthorizedApiCalls).toBe(0);
  }, 60_000);

  it('takes over the lock of a process killed while holding it, once the lock is stale', async () => {
    const path = join(dir, 'tokens.json');
    const holder = spawnFixture('lock-holder-child', { path, staleMs: 2_000 });
    await holder.waitFor('locked');

    const store = new FileStore(path, { staleMs: 2_000 });
    let entered = false;
    const waiting = store.lock(async () => (entered = true), AbortSignal.timeout(15_000));
    holder.process.kill('SIGKILL');

    expect(await holder.exited).toMatchObject({ signal: 'SIGKILL' });
    await waiting;
    expect(entered).toBe(true);
  }, 30_000);

  it('never shows a reader a torn file, nor leaves one when a writer is killed mid-write', async () => {
    const path = join(dir, 'tokens.json');
    for (let round = 1; round <= 3; round++) {
      // Each killed writer leaves its lock behind: the next one takes it over once stale.
      const writer = spawnFixture('writer-child', { path, staleMs: 2_000 });
      await writer.waitFor('saved 1\n');
      let reads = 0;
      while (!writer.stdout.includes(`saved ${10 * round}\n`)) {
        expectWholeTokenFile(await readFile(path, 'utf8'));
        reads++;
      }
      writer.process.kill('SIGKILL');
      expect(await writer.exited).toMatchObject({ signal: 'SIGKILL' });

      const tokens = expectWholeTokenFile(await readFile(path, 'utf8'));
      expect(await new FileStore(path).load()).toEqual(tokens.toTokens());
      expect(reads).toBeGreaterThan(0);
    }

    // The next save, under the lock, clears temporary files the killed writers left behind.
    const emu = await emulator();
    emu.clock.advance(DAY);
    const fresh = await emu.issueTokens();
    await new FileStore(path, { staleMs: 2_000 }).save(fresh);
    expect(await new FileStore(path).load()).toEqual(fresh);
    expect(await readdir(dir)).toEqual(['tokens.json']);
  }, 60_000);
});

/** Parse a token file the way an outside reader would, failing on anything but a whole one. */
function expectWholeTokenFile(text: string): TokenSet {
  const content = JSON.parse(text) as { version: number; tokens: unknown };
  expect(content.version).toBe(1);
  const tokens = TokenSet.from(content.tokens);
  expect(tokens.idExpiresAt - (tokens.idIssuedAt ?? 0)).toBe(DAY);
  return tokens;
}

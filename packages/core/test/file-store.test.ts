import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StoreError, TokenSet, type GeckoTokens } from '../src/index.js';
import { FileStore } from '../src/node.js';
import { emulator } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gecko-file-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two token sets from the emulator, the second issued a minute after the first. */
async function olderAndNewer(): Promise<[GeckoTokens, GeckoTokens]> {
  const emu = await emulator();
  const older = await emu.issueTokens();
  emu.clock.advance(60_000);
  return [older, await emu.issueTokens()];
}

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const error: unknown = await promise.then(
    () => new Error('expected a StoreError'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('FileStore', () => {
  it('saves and loads a token set, in a version 1 file with owner-only permissions', async () => {
    const [tokens] = await olderAndNewer();
    const path = join(dir, 'nested', 'tokens.json');
    await new FileStore(path).save(tokens);

    expect(await new FileStore(path).load()).toEqual(tokens);
    const content = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(content).toMatchObject({ version: 1, tokens });
    expect(Date.parse(String(content['savedAt']))).not.toBeNaN();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['tokens.json']);
  });

  it('loads nothing from a file that does not exist yet', async () => {
    expect(await new FileStore(join(dir, 'absent.json')).load()).toBeUndefined();
  });

  it('never replaces newer tokens with older ones', async () => {
    const [older, newer] = await olderAndNewer();
    const path = join(dir, 'tokens.json');
    await new FileStore(path).save(newer);
    const before = await readFile(path, 'utf8');

    await new FileStore(path).save(older);

    expect(await readFile(path, 'utf8')).toBe(before);
    await new FileStore(path).save(newer);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(TokenSet.from(await new FileStore(path).load()).id).toBe(newer.id);
  });

  it('replaces older tokens with newer ones', async () => {
    const [older, newer] = await olderAndNewer();
    const store = new FileStore(join(dir, 'tokens.json'));
    await store.save(older);
    await store.save(newer);
    expect(await store.load()).toEqual(newer);
  });

  it.each([
    ['truncated JSON', (t: GeckoTokens) => JSON.stringify({ version: 1, tokens: t }).slice(0, 40)],
    ['an unknown version', (t: GeckoTokens) => JSON.stringify({ version: 2, tokens: t })],
    [
      'a malformed token',
      (t: GeckoTokens) => JSON.stringify({ version: 1, tokens: { ...t, id: 'x' } }),
    ],
  ])('refuses a file holding %s, naming it, and leaves it untouched', async (_, content) => {
    const [older, newer] = await olderAndNewer();
    const path = join(dir, 'tokens.json');
    const corrupt = content(older);
    await writeFile(path, corrupt);
    const store = new FileStore(path);

    const onLoad = await storeError(store.load());
    const onSave = await storeError(store.save(newer));

    for (const error of [onLoad, onSave]) {
      expect(error.code).toBe('GECKO_STORE_ERROR');
      expect(error.message).toContain(path);
      expect(error.message).toContain('left unchanged');
      for (const token of Object.values(older)) {
        expect(inspect(error, { depth: 5 })).not.toContain(token.split('.')[2]);
      }
    }
    expect(await readFile(path, 'utf8')).toBe(corrupt);
  });

  it('reports an unreadable path as a StoreError naming it', async () => {
    const error = await storeError(new FileStore(dir).load());
    expect(error.message).toContain(dir);
    expect(error.cause).toMatchObject({ code: 'EISDIR' });
  });

  it('validates its options', () => {
    expect(() => new FileStore('')).toThrow(/`path`/);
    expect(() => new FileStore('t.json', { staleMs: 500 })).toThrow(/`staleMs`.*2000/);
    expect(() => new FileStore('t.json', { retryMs: Number.NaN })).toThrow(/`retryMs`/);
  });
});

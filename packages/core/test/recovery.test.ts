/**
 * Recovering from a replaced API token and from a failing lock service: the regressions a user
 * would hit when an operator follows the re-auth instructions, or when Redis goes down.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { onCleanup } from '@gecko-auth/test-support';
import { describe, expect, it } from 'vitest';

import { MemoryStore, ReauthRequiredError, StoreError, type TokenStore } from '../src/index.js';
import { FileStore } from '../src/node.js';
import { DAY, HOUR, authFor, emulator, foreignServer, setup } from './helpers.js';

const MINUTE = 60_000;

async function tokenFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gecko-recovery-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'tokens.json');
}

describe('a replaced API token', () => {
  it('setTokens persists a new API token issued before the old chain last refreshed', async () => {
    const emu = await emulator();
    const path = await tokenFile();
    const old = await emu.issueTokens({ subject: 'old' });
    const replacement = await emu.issueTokens({ subject: 'new' });
    emu.clock.advance(30 * MINUTE);
    const auth = authFor(emu, old, { store: new FileStore(path) });
    const sibling = authFor(emu, old, { store: new FileStore(path) });
    await auth.refresh();
    await sibling.getIdToken();

    // The operator deletes the old API token in GeckoForm and installs the new one.
    emu.revoke(auth.tokens?.refresh ?? '');
    emu.revoke(old.refresh);
    await auth.setTokens(replacement);
    expect(await new FileStore(path).load()).toEqual(replacement);

    // The sibling process picks the new token up at its next refresh instead of failing.
    emu.clock.advance(DAY);
    await expect(sibling.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(auth.status).toBe('ready');
    expect(sibling.status).toBe('ready');

    // So does a process that restarts with the old tokens still in its configuration.
    const restarted = authFor(emu, old, { store: new FileStore(path) });
    await expect(restarted.client().get('/forms/2')).resolves.toMatchObject({ id: 2 });
  });

  it('falls back to the constructor tokens when the stored chain is refused', async () => {
    const emu = await emulator();
    const store = new MemoryStore();
    const replacement = await emu.issueTokens({ subject: 'new' });
    const old = await emu.issueTokens({ subject: 'old' });
    const first = authFor(emu, old, { store });
    emu.clock.advance(HOUR);
    await first.refresh();
    first.close();

    // The stored chain is newer than the replacement by `iat`, but it has been revoked.
    emu.revoke(first.tokens?.refresh ?? '');
    emu.clock.advance(DAY);
    const restarted = authFor(emu, replacement, { store });
    await expect(restarted.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(restarted.status).toBe('ready');
    expect(await store.load()).toEqual(restarted.tokens?.toTokens());
  });

  it('still reports re-auth when both candidates are refused', async () => {
    const emu = await emulator();
    const store = new MemoryStore();
    const a = await emu.issueTokens();
    const b = await emu.issueTokens();
    await authFor(emu, a, { store }).getIdToken();
    emu.revoke(a.refresh);
    emu.revoke(b.refresh);
    emu.clock.advance(DAY + HOUR);
    await expect(authFor(emu, b, { store }).getIdToken()).rejects.toBeInstanceOf(
      ReauthRequiredError,
    );
    expect(emu.stats.refreshCalls).toBe(2);
  });
});

describe('a replaced API token, across processes in re-auth-required', () => {
  it('a sibling already in re-auth-required picks the new token up from the store', async () => {
    const emu = await emulator();
    const path = await tokenFile();
    const old = await emu.issueTokens({ subject: 'old' });
    const a = authFor(emu, old, { store: new FileStore(path) });
    const b = authFor(emu, old, { store: new FileStore(path) });
    emu.revoke(old.refresh);
    emu.clock.advance(DAY + HOUR);
    await expect(b.getIdToken()).rejects.toBeInstanceOf(ReauthRequiredError);
    await expect(a.getIdToken()).rejects.toBeInstanceOf(ReauthRequiredError);

    await a.setTokens(await emu.issueTokens({ subject: 'new' }));
    // The sibling looks in the store at most every few seconds while in re-auth-required.
    emu.clock.advance(10_000);
    await expect(b.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(b.status).toBe('ready');
  });

  it('setTokens wins over a refresh of the replaced set that is still running', async () => {
    const emu = await emulator();
    const path = await tokenFile();
    const old = await emu.issueTokens({ subject: 'old' });
    const replacement = await emu.issueTokens({ subject: 'new' });
    const auth = authFor(emu, old, { store: new FileStore(path) });
    await auth.getIdToken();
    emu.fault('refresh', { delayMs: 500 });
    const refreshing = auth.refresh();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await auth.setTokens(replacement);

    await expect(refreshing).resolves.toBeDefined();
    expect(await auth.getIdToken()).toBe(replacement.id);
    // The old chain's refreshed set did not overwrite the new token in the shared store.
    expect(await new FileStore(path).load()).toEqual(replacement);
  });
});

describe('a failing lock service', () => {
  it('refreshes without the lock rather than fail every request', async () => {
    const emu = await emulator();
    const memory = new MemoryStore();
    const store: TokenStore = {
      load: () => memory.load(),
      save: (tokens, options) => memory.save(tokens, options),
      lock: () => Promise.reject(new StoreError('Redis SET lock failed.')),
    };
    const auth = authFor(emu, await emu.issueTokens(), { store });
    const reasons: string[] = [];
    auth.on('error', (event) => reasons.push(event.reason));
    emu.clock.advance(DAY + HOUR);

    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(emu.stats.successfulRefreshes).toBe(1);
    expect(reasons).toEqual(['lock']);
  });
});

describe('an unreadable store at start-up', () => {
  it('does not fail requests when constructor tokens are there to start from', async () => {
    const emu = await emulator();
    const path = await tokenFile();
    await writeFile(path, '{ not json');
    const auth = authFor(emu, await emu.issueTokens(), { store: new FileStore(path) });
    const failures: string[] = [];
    auth.on('error', (event) => failures.push(`${event.reason}:${event.error.code}`));

    await expect(auth.client().get('/forms/1')).resolves.toMatchObject({ id: 1 });
    expect(failures).toEqual(['load:GECKO_STORE_ERROR', 'save:GECKO_STORE_ERROR']);
    // The corrupt file is reported, never silently replaced.
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });

  it('fails with the store error when there is nothing else to start from', async () => {
    const emu = await emulator();
    const path = await tokenFile();
    await writeFile(path, '{ not json');
    const auth = authFor(emu, undefined, { store: new FileStore(path) });
    await expect(auth.getIdToken()).rejects.toMatchObject({ code: 'GECKO_STORE_ERROR' });
  });
});

describe('a 401 from another origin', () => {
  it('after a redirect does not refresh the GeckoForm token', async () => {
    const { emu, auth } = await setup();
    const foreign = await foreignServer();
    emu.fault('api', { redirectTo: `${foreign.url}/needs-its-own-login`, times: Infinity });
    foreign.status = 401;
    await expect(auth.client().get('/forms/1')).rejects.toMatchObject({ status: 401 });
    expect(emu.stats.refreshCalls).toBe(0);
  });
});

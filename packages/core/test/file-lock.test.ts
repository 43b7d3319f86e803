import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileStore } from '../src/node.js';
import { emulator } from './helpers.js';

let path: string;
beforeEach(async () => {
  path = join(await mkdtemp(join(tmpdir(), 'gecko-file-lock-')), 'tokens.json');
});
afterEach(async () => {
  await rm(join(path, '..'), { recursive: true, force: true });
});

const noAbort = new AbortController().signal;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('FileStore.lock', () => {
  it('lets one holder in at a time, even from two store instances', async () => {
    const events: string[] = [];
    const holder = (name: string) => async () => {
      events.push(`${name} in`);
      await tick();
      await tick();
      events.push(`${name} out`);
      return name;
    };

    const results = await Promise.all([
      new FileStore(path).lock(holder('a'), noAbort),
      new FileStore(path).lock(holder('b'), noAbort),
      new FileStore(path).lock(holder('c'), noAbort),
    ]);

    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toHaveLength(6);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i + 1]).toBe(events[i]?.replace(' in', ' out'));
    }
  });

  it('lets save run inside lock (as core does after a refresh) without waiting for itself', async () => {
    const tokens = await (await emulator()).issueTokens();
    const store = new FileStore(path, { lockWaitMs: 2_000 });

    await store.lock(() => store.save(tokens), noAbort);

    expect(await store.load()).toEqual(tokens);
  });

  it('stops waiting with the signal’s reason when it aborts', async () => {
    const holder = new FileStore(path);
    const waiter = new FileStore(path);
    let release: () => void = () => undefined;
    const held = holder.lock(() => new Promise<void>((resolve) => (release = resolve)), noAbort);
    await tick();

    const reason = new Error('refresh timed out');
    const controller = new AbortController();
    let ran = false;
    const waiting = waiter.lock(async () => (ran = true), controller.signal);
    await tick();
    controller.abort(reason);

    await expect(waiting).rejects.toBe(reason);
    expect(ran).toBe(false);
    release();
    await held;
    expect(await waiter.lock(async () => 'free again', noAbort)).toBe('free again');
  });

  it('fails a save that cannot get the lock in time with a StoreError naming the file', async () => {
    const tokens = await (await emulator()).issueTokens();
    let release: () => void = () => undefined;
    const held = new FileStore(path).lock(
      () => new Promise<void>((resolve) => (release = resolve)),
      noAbort,
    );
    await tick();

    const saving = new FileStore(path, { lockWaitMs: 100 }).save(tokens);

    await expect(saving).rejects.toMatchObject({
      code: 'GECKO_STORE_ERROR',
      message: expect.stringContaining(path),
    });
    release();
    await held;
    expect(await new FileStore(path).load()).toBeUndefined();
  });
});

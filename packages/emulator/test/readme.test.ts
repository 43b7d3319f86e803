// The README's examples, run as written (importing from source instead of the package name).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

it('lists forms with a fresh ID token', async () => {
  const tokens = await emulator.issueTokens();
  const res = await fetch(`${emulator.apiUrl}/forms?per_page=5`, {
    headers: { authorization: `Bearer ${tokens.id}` },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(5);
});

it('queues the README faults', async () => {
  const tokens = await emulator.issueTokens();
  const headers = { authorization: `Bearer ${tokens.refresh}` };
  emulator.fault('refresh', { status: 503, headers: { 'retry-after': '1' }, times: 2 });

  const statuses = [];
  for (let i = 0; i < 3; i += 1)
    statuses.push((await fetch(emulator.refreshUrl, { headers })).status);
  expect(statuses).toEqual([503, 503, 200]);
});

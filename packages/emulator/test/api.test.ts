import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.ts';
import { apiGet, apiSend } from './helpers.ts';

interface Page {
  data: Array<{ id: number; name: string; created_at: string; status: string }>;
  page: number;
  per_page: number;
  total: number;
}

let emulator: Emulator;
let id: string;

beforeEach(async () => {
  emulator = await startEmulator();
  id = (await emulator.issueTokens()).id;
});
afterEach(() => emulator.close());

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await apiGet(emulator, path, id);
  return { status: res.status, body: (await res.json()) as T };
}

describe('GET /forms', () => {
  it('defaults to page 1 of 15 over 137 seeded forms', async () => {
    const { status, body } = await getJson<Page>('/forms');

    expect(status).toBe(200);
    expect(body).toMatchObject({ page: 1, per_page: 15, total: 137 });
    expect(body.data.map((form) => form.id)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('pages through every form once, with a short last page', async () => {
    const seen: number[] = [];
    for (let page = 1; page <= 10; page += 1) {
      const { body } = await getJson<Page>(`/forms?page=${page}&per_page=15`);
      seen.push(...body.data.map((form) => form.id));
      expect(body.data).toHaveLength(page === 10 ? 2 : 15);
    }

    expect(seen).toEqual(Array.from({ length: 137 }, (_, i) => i + 1));
    expect((await getJson<Page>('/forms?page=11')).body.data).toEqual([]);
  });

  it('accepts per_page up to 100', async () => {
    const { body } = await getJson<Page>('/forms?page=2&per_page=100');

    expect(body.data).toHaveLength(37);
    expect(body.data[0]?.id).toBe(101);
  });

  it.each(['page=0', 'page=-1', 'page=abc', 'per_page=0', 'per_page=101', 'per_page=1.5', 'page='])(
    'answers 400 for %s',
    async (query) => {
      const { status, body } = await getJson<{ error: string }>(`/forms?${query}`);

      expect(status).toBe(400);
      expect(body.error).toBe('bad_request');
    },
  );

  it('seeds the same forms in every emulator', async () => {
    const other = await startEmulator({ forms: 3 });
    try {
      const otherId = (await other.issueTokens()).id;
      const theirs = (await (await apiGet(other, '/forms', otherId)).json()) as Page;
      const ours = (await getJson<Page>('/forms?per_page=3')).body;

      expect(theirs.total).toBe(3);
      expect(theirs.data).toEqual(ours.data);
      expect(ours.data[0]).toMatchObject({ id: 1, created_at: '2024-01-01T09:00:00.000Z' });
    } finally {
      await other.close();
    }
  });
});

describe('single forms', () => {
  it('GET /forms/:id returns the form, or 404 JSON', async () => {
    expect((await getJson<{ id: number }>('/forms/42')).body.id).toBe(42);

    const missing = await getJson<{ error: string }>('/forms/999');
    expect(missing).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'Form 999 does not exist.' },
    });
    expect((await getJson('/forms/abc')).status).toBe(404);
  });

  it('POST /forms creates a form with the next id', async () => {
    const res = await apiSend(emulator, 'POST', '/forms', id, JSON.stringify({ name: 'New' }));
    const created = (await res.json()) as { id: number; name: string; created_at: string };

    expect(res.status).toBe(201);
    expect(created).toMatchObject({ id: 138, name: 'New' });
    expect(created.created_at).toBe(new Date(Date.parse(created.created_at)).toISOString());
    expect((await getJson<Page>('/forms')).body.total).toBe(138);
  });

  it('PUT and PATCH update, DELETE removes', async () => {
    const put = await apiSend(emulator, 'PUT', '/forms/5', id, '{"name":"Renamed"}');
    const patch = await apiSend(emulator, 'PATCH', '/forms/5', id, '{"status":"published"}');

    expect(put.status).toBe(200);
    expect(await patch.json()).toMatchObject({ id: 5, name: 'Renamed', status: 'published' });

    const del = await apiSend(emulator, 'DELETE', '/forms/5', id, '');
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect((await getJson('/forms/5')).status).toBe(404);
    expect((await apiSend(emulator, 'DELETE', '/forms/5', id, '')).status).toBe(404);
    expect((await getJson<Page>('/forms')).body.total).toBe(136);
  });

  it.each([
    ['POST', '/forms', 'not json{', 'The request body is not valid JSON.'],
    ['POST', '/forms', '{}', 'The field "name" is required.'],
    ['POST', '/forms', '[1]', 'The request body must be a JSON object.'],
    ['PUT', '/forms/1', '{"status":"draft"}', 'The field "name" is required.'],
    [
      'PATCH',
      '/forms/1',
      '{"status":"gone"}',
      'The field "status" must be "published" or "draft".',
    ],
  ])('%s %s with %s answers 400', async (method, path, body, message) => {
    const res = await apiSend(emulator, method, path, id, body);

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad_request', message });
  });
});

describe('routing', () => {
  it('answers 404 for unknown paths and 405 for unknown methods', async () => {
    const unknown = await getJson<{ error: string }>('/nope');
    const wrongMethod = await apiSend(emulator, 'DELETE', '/forms', id, '');

    expect(unknown).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'No route for GET /nope.' },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
  });

  it('answers 413 to a body over 1 MiB and keeps serving', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
    const res = await apiSend(emulator, 'POST', '/forms', id, huge);

    expect(res.status).toBe(413);
    expect((await getJson('/forms')).status).toBe(200);
  });

  it('checks the token before routing', async () => {
    const res = await fetch(`${emulator.apiUrl}/nope`);

    expect(res.status).toBe(401);
  });
});

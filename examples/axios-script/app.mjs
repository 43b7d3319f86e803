// An app whose outgoing GeckoForm calls go through one shared axios instance with the
// @gecko-auth/axios interceptors: GET /forms answers a page of GeckoForm forms.
import { createServer } from 'node:http';

import { createGeckoAxios } from '@gecko-auth/axios';

/** Start the app with `auth` on `port` (0: any free port). Resolves to its URL and `close()`. */
export async function startApp(auth, { port = 0, host = '127.0.0.1' } = {}) {
  const gecko = createGeckoAxios(auth);

  const server = createServer(async (request, response) => {
    // axios takes an AbortSignal: a caller that hangs up cancels the GeckoForm call made for it.
    const hangUp = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) hangUp.abort();
    });
    const url = new URL(request.url ?? '/', 'http://app.local');
    if (url.pathname !== '/forms') {
      response.writeHead(404).end();
      return;
    }
    try {
      const page = Number(url.searchParams.get('page') ?? 1);
      const { data } = await gecko.get('/forms', {
        params: { page, per_page: 5 },
        signal: hangUp.signal,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(data));
    } catch (error) {
      // An upstream failure of this server, whatever GeckoForm answered us.
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.code ?? 'UPSTREAM_ERROR' }));
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// The smallest app: Node's own http server and @gecko-auth/core, no framework.
import { createServer } from 'node:http';

/** Start an app that serves GET /forms from GeckoForm through `auth`. */
export async function startApp(auth) {
  const server = createServer(async (request, response) => {
    // Tie GeckoForm calls to this request: if the caller hangs up, they are aborted.
    const hangUp = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) hangUp.abort();
    });
    try {
      const url = new URL(request.url ?? '/', 'http://app.local');
      if (url.pathname !== '/forms') {
        response.writeHead(404).end();
        return;
      }
      const page = await auth.client({ signal: hangUp.signal }).get('/forms', {
        query: { page: url.searchParams.get('page') ?? 1, per_page: 5 },
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    } catch (error) {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.code ?? 'UNKNOWN', message: error.message }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

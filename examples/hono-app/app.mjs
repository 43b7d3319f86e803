// The Hono example: GET /forms answers a page of GeckoForm forms, fetched through c.var.gecko.
// The app itself runs on any runtime; only startApp() is Node-specific (@hono/node-server).
import { isGeckoAuthError } from '@gecko-auth/core';
import { geckoAuth } from '@gecko-auth/hono';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** The app, without a server: hand `app.fetch` to any runtime. */
export function createApp(auth) {
  const app = new Hono();
  app.use(geckoAuth({ auth }));

  app.get('/forms', async (c) => {
    const page = Number(c.req.query('page') ?? 1);
    return c.json(await c.var.gecko.get('/forms', { query: { page, per_page: 5 } }));
  });

  app.onError((error, c) => {
    if (!isGeckoAuthError(error)) return c.text('Internal Server Error', 500);

    // GeckoForm failing is an upstream failure of this server, whatever GeckoForm answered us.
    return c.json({ error: error.code }, error.code === 'GECKO_REAUTH_REQUIRED' ? 503 : 502);
  });
  return app;
}

/** Start the app with `auth` on `port` (0: any free port). Resolves to its URL and `close()`. */
export async function startApp(auth, { port = 0, host = '127.0.0.1' } = {}) {
  const app = createApp(auth);
  let server;
  const info = await new Promise((resolve, reject) => {
    server = serve({ fetch: app.fetch, port, hostname: host }, resolve);
    server.once('error', reject);
  });
  return {
    url: `http://${host}:${info.port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

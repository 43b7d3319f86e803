// The Express example: GET /forms answers a page of GeckoForm forms, fetched through req.gecko.
import { isGeckoAuthError } from '@gecko-auth/core';
import { geckoAuth } from '@gecko-auth/express';
import express from 'express';

/** Start the app with `auth` on `port` (0: any free port). Resolves to its URL and `close()`. */
export async function startApp(auth, { port = 0, host = '127.0.0.1' } = {}) {
  const app = express();
  app.use(geckoAuth({ auth }));

  app.get('/forms', async (req, res) => {
    const page = Number(req.query.page ?? 1);
    res.json(await req.gecko.get('/forms', { query: { page, per_page: 5 } }));
  });

  app.use((error, _req, res, next) => {
    if (!isGeckoAuthError(error)) return next(error);

    // GeckoForm failing is an upstream failure of this server, whatever GeckoForm answered us.
    const status = error.code === 'GECKO_REAUTH_REQUIRED' ? 503 : 502;
    res.status(status).json({ error: error.code });
  });

  const server = await new Promise((resolve, reject) => {
    const listening = app.listen(port, host, (error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

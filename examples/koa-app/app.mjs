// The Koa example: GET /forms answers a page of GeckoForm forms, fetched through ctx.state.gecko.
import { isGeckoAuthError } from '@gecko-auth/core';
import { geckoAuth } from '@gecko-auth/koa';
import Koa from 'koa';

/** Start the app with `auth` on `port` (0: any free port). Resolves to its URL and `close()`. */
export async function startApp(auth, { port = 0, host = '127.0.0.1' } = {}) {
  const app = new Koa();

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isGeckoAuthError(error)) throw error;

      // GeckoForm failing is an upstream failure of this server, whatever GeckoForm answered us.
      ctx.status = error.code === 'GECKO_REAUTH_REQUIRED' ? 503 : 502;
      ctx.body = { error: error.code };
    }
  });
  app.use(geckoAuth({ auth }));

  app.use(async (ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== '/forms') return;

    const page = Number(ctx.query.page ?? 1);
    ctx.body = await ctx.state.gecko.get('/forms', { query: { page, per_page: 5 } });
  });

  const server = await new Promise((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening)).once('error', reject);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

import type { GeckoAuth, GeckoClient } from '@gecko-auth/core';
import express, { type Request, type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

import { geckoAuth, type GeckoAuthResolver, type GeckoExpressOptions } from '../src/index.js';

/** Checked by tsc, never run: it only has to compile. */
function routes(auth: GeckoAuth): void {
  const app = express();
  app.use(geckoAuth({ auth }));
  app.get('/', (req, res) => {
    expectTypeOf(req.gecko).toEqualTypeOf<GeckoClient>();
    res.end();
  });
  app.get('/tenant', geckoAuth({ auth: async (req) => (req.get('x-tenant') ? auth : auth) }));
}

describe('types', () => {
  it('types req.gecko as a GeckoClient on every Express request, without a cast', () => {
    expectTypeOf<Request['gecko']>().toEqualTypeOf<GeckoClient>();
    expectTypeOf(routes).toBeFunction();
  });

  it('returns an Express RequestHandler', () => {
    expectTypeOf(geckoAuth).returns.toEqualTypeOf<RequestHandler>();
  });

  it('takes a GeckoAuth or a function of the request returning one, sync or async', () => {
    expectTypeOf<GeckoAuthResolver>().parameter(0).toEqualTypeOf<Request>();
    expectTypeOf<{ auth: GeckoAuth }>().toExtend<GeckoExpressOptions>();
    expectTypeOf<{ auth: (req: Request) => GeckoAuth }>().toExtend<GeckoExpressOptions>();
    expectTypeOf<{ auth: (req: Request) => Promise<GeckoAuth> }>().toExtend<GeckoExpressOptions>();
    expectTypeOf<{
      auth: GeckoAuth;
      requireToken: boolean;
      timeout: number;
    }>().toExtend<GeckoExpressOptions>();
  });

  it('rejects options without `auth` or with a resolver that may return nothing', () => {
    expectTypeOf<{ requireToken: true }>().not.toExtend<GeckoExpressOptions>();
    expectTypeOf<{ auth: () => GeckoAuth | undefined }>().not.toExtend<GeckoExpressOptions>();
    expectTypeOf<{ auth: GeckoAuth; timeout: string }>().not.toExtend<GeckoExpressOptions>();
  });
});

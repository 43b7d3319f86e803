import type { GeckoAuth, GeckoClient } from '@gecko-auth/core';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';

import {
  geckoAuth,
  type GeckoAuthResolver,
  type GeckoHonoOptions,
  type GeckoVariables,
} from '../src/index.js';

/** Checked by tsc, never run: it only has to compile. */
function apps(auth: GeckoAuth): void {
  const app = new Hono();
  app.use(geckoAuth({ auth }));
  app.get('/', (c) => {
    expectTypeOf(c.var.gecko).toEqualTypeOf<GeckoClient>();
    expectTypeOf(c.get('gecko')).toEqualTypeOf<GeckoClient>();
    return c.text('ok');
  });

  // Route-level use, on an app typed with the exported Variables.
  const typed = new Hono<{ Variables: GeckoVariables & { user: string } }>();
  typed.get('/forms', geckoAuth({ auth: (c) => (c.req.header('x-tenant') ? auth : auth) }), (c) => {
    expectTypeOf(c.var.gecko).toEqualTypeOf<GeckoClient>();
    expectTypeOf(c.var.user).toEqualTypeOf<string>();
    return c.text('ok');
  });
}

describe('types', () => {
  it('types c.var.gecko as a GeckoClient, without a cast', () => {
    expectTypeOf<GeckoVariables['gecko']>().toEqualTypeOf<GeckoClient>();
    expectTypeOf(apps).toBeFunction();
  });

  it('returns a Hono middleware that sets GeckoVariables', () => {
    expectTypeOf(geckoAuth).returns.toEqualTypeOf<
      MiddlewareHandler<{ Variables: GeckoVariables }>
    >();
  });

  it('takes a GeckoAuth or a function of the context returning one, sync or async', () => {
    expectTypeOf<GeckoAuthResolver>().parameter(0).toEqualTypeOf<Context>();
    expectTypeOf<{ auth: GeckoAuth }>().toExtend<GeckoHonoOptions>();
    expectTypeOf<{ auth: (c: Context) => GeckoAuth }>().toExtend<GeckoHonoOptions>();
    expectTypeOf<{ auth: (c: Context) => Promise<GeckoAuth> }>().toExtend<GeckoHonoOptions>();
    expectTypeOf<{
      auth: GeckoAuth;
      requireToken: boolean;
      timeout: number;
    }>().toExtend<GeckoHonoOptions>();
  });

  it('rejects options without `auth` or with a resolver that may return nothing', () => {
    expectTypeOf<{ requireToken: true }>().not.toExtend<GeckoHonoOptions>();
    expectTypeOf<{ auth: () => GeckoAuth | undefined }>().not.toExtend<GeckoHonoOptions>();
    expectTypeOf<{ auth: GeckoAuth; timeout: string }>().not.toExtend<GeckoHonoOptions>();
  });
});

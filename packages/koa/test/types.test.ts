import type { GeckoAuth, GeckoClient } from '@gecko-auth/core';
import Koa, { type Context, type Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';

import {
  geckoAuth,
  type GeckoAuthResolver,
  type GeckoKoaOptions,
  type GeckoState,
} from '../src/index.js';

/** Checked by tsc, never run: it only has to compile. */
function apps(auth: GeckoAuth): void {
  const app = new Koa();
  app.use(geckoAuth({ auth }));
  app.use((ctx) => {
    expectTypeOf(ctx.state.gecko).toEqualTypeOf<GeckoClient>();
  });

  // An app that types its own state adds GeckoState to it.
  const typed = new Koa<GeckoState & { user: string }>();
  typed.use(geckoAuth({ auth: (ctx) => (ctx.get('x-tenant') ? auth : auth) }));
  typed.use((ctx) => {
    expectTypeOf(ctx.state.gecko).toEqualTypeOf<GeckoClient>();
    expectTypeOf(ctx.state.user).toEqualTypeOf<string>();
  });
}

describe('types', () => {
  it('types ctx.state.gecko as a GeckoClient, without a cast', () => {
    expectTypeOf<GeckoState['gecko']>().toEqualTypeOf<GeckoClient>();
    expectTypeOf<Koa.DefaultState['gecko']>().toEqualTypeOf<GeckoClient>();
    expectTypeOf(apps).toBeFunction();
  });

  it('returns a Koa middleware that adds GeckoState', () => {
    expectTypeOf(geckoAuth).returns.toEqualTypeOf<Middleware<GeckoState>>();
  });

  it('takes a GeckoAuth or a function of the context returning one, sync or async', () => {
    expectTypeOf<GeckoAuthResolver>().parameter(0).toEqualTypeOf<Context>();
    expectTypeOf<{ auth: GeckoAuth }>().toExtend<GeckoKoaOptions>();
    expectTypeOf<{ auth: (ctx: Context) => GeckoAuth }>().toExtend<GeckoKoaOptions>();
    expectTypeOf<{ auth: (ctx: Context) => Promise<GeckoAuth> }>().toExtend<GeckoKoaOptions>();
    expectTypeOf<{
      auth: GeckoAuth;
      requireToken: boolean;
      timeout: number;
    }>().toExtend<GeckoKoaOptions>();
  });

  it('rejects options without `auth` or with a resolver that may return nothing', () => {
    expectTypeOf<{ requireToken: true }>().not.toExtend<GeckoKoaOptions>();
    expectTypeOf<{ auth: () => GeckoAuth | undefined }>().not.toExtend<GeckoKoaOptions>();
    expectTypeOf<{ auth: GeckoAuth; timeout: string }>().not.toExtend<GeckoKoaOptions>();
  });
});

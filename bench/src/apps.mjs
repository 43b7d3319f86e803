/**
 * The apps under test, one per framework, each with or without `geckoAuth`. Routes:
 *
 * - `/hello`: trivial JSON; never touches GeckoForm.
 * - `/touch`: builds the request's GeckoForm client (`req.gecko` and friends) but sends nothing.
 * - `/form`: proxies the emulator's `/forms/1` — through the attached client when geckoAuth is
 *   installed, otherwise through a raw `fetch` with a hand-set Authorization header.
 */
import { createServer } from 'node:http';

import { createAdaptorServer } from '@hono/node-server';
import { geckoAuth as expressGeckoAuth } from '@gecko-auth/express';
import { geckoAuth as honoGeckoAuth } from '@gecko-auth/hono';
import { geckoAuth as koaGeckoAuth } from '@gecko-auth/koa';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';

export const FRAMEWORKS = ['express', 'koa', 'hono'];

const HELLO = { hello: 'world' };

/**
 * @typedef {object} AppOptions
 * @property {'bare' | 'timeout' | 'noop' | 'gecko'} variant `noop` installs an empty middleware
 *   instead; `timeout` is `bare` whose raw `/form` call has an abort signal and a timeout
 * @property {import('@gecko-auth/core').GeckoAuth} [auth] required for `gecko`
 * @property {string} apiUrl the emulator API, for `/form`
 * @property {string} idToken the hand-set token of the raw `/form`
 * @property {{ served: number }} counter incremented by every route
 */

/** The timeout a hand-written call with the same guarantee as the client's default would use. */
const RAW_TIMEOUT_MS = 30_000;

/**
 * A raw GeckoForm call, as hand-written code would make it. Variant `timeout` adds what the
 * client always has: an abort signal and a timeout (which on Node 20 is most of the client's cost).
 */
async function rawForm(options) {
  const controller = options.variant === 'timeout' ? new AbortController() : undefined;
  const timer = controller && setTimeout(() => controller.abort(), RAW_TIMEOUT_MS);
  try {
    const response = await fetch(`${options.apiUrl}/forms/1`, {
      headers: { authorization: `Bearer ${options.idToken}`, accept: 'application/json' },
      signal: controller?.signal,
    });
    if (!response.ok) throw new Error(`GeckoForm answered ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

/** @param {AppOptions} options */
export function expressApp(options) {
  const app = express();
  if (options.variant === 'gecko') app.use(expressGeckoAuth({ auth: options.auth }));
  if (options.variant === 'noop') app.use((_req, _res, next) => next());

  app.get('/hello', (_req, res) => {
    options.counter.served++;
    res.json(HELLO);
  });
  app.get('/touch', (req, res) => {
    options.counter.served++;
    res.json({ client: typeof req.gecko?.get });
  });
  app.get('/form', async (req, res) => {
    options.counter.served++;
    const form =
      options.variant === 'gecko' ? await req.gecko.get('/forms/1') : await rawForm(options);
    res.json(form);
  });
  // A GeckoForm call aborted because the caller hung up (autocannon closing its sockets at the end
  // of a run) is expected here: answer 502 quietly instead of Express's default stack trace.
  app.use((error, _req, res, _next) => {
    res.status(502).json({ error: error?.code ?? 'error' });
  });
  return app;
}

/** @param {AppOptions} options */
export function koaApp(options) {
  const app = new Koa();
  app.silent = true;
  if (options.variant === 'gecko') app.use(koaGeckoAuth({ auth: options.auth }));
  if (options.variant === 'noop') app.use((_ctx, next) => next());

  app.use(async (ctx) => {
    options.counter.served++;
    if (ctx.path === '/hello') ctx.body = HELLO;
    else if (ctx.path === '/touch') ctx.body = { client: typeof ctx.state.gecko?.get };
    else if (ctx.path === '/form') {
      ctx.body =
        options.variant === 'gecko'
          ? await ctx.state.gecko.get('/forms/1')
          : await rawForm(options);
    } else ctx.status = 404;
  });
  return app;
}

/** @param {AppOptions} options */
export function honoApp(options) {
  const app = new Hono();
  if (options.variant === 'gecko') app.use(honoGeckoAuth({ auth: options.auth }));
  if (options.variant === 'noop') {
    app.use(async (_c, next) => {
      await next();
    });
  }

  app.get('/hello', (c) => {
    options.counter.served++;
    return c.json(HELLO);
  });
  app.get('/touch', (c) => {
    options.counter.served++;
    return c.json({ client: typeof c.get('gecko')?.get });
  });
  app.get('/form', async (c) => {
    options.counter.served++;
    const form =
      options.variant === 'gecko' ? await c.var.gecko.get('/forms/1') : await rawForm(options);
    return c.json(form);
  });
  app.onError((error, c) => c.json({ error: error?.code ?? 'error' }, 502));
  return app;
}

/** A `node:http` server (not yet listening) running `framework`'s app. */
export function createFrameworkServer(framework, options) {
  if (framework === 'express') return createServer(expressApp(options));
  if (framework === 'koa') return createServer(koaApp(options).callback());
  if (framework === 'hono') return createAdaptorServer({ fetch: honoApp(options).fetch });
  throw new Error(`unknown framework ${framework}`);
}

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { onCleanup } from './cleanup.js';

/**
 * Listen on a free loopback port until the test ends; resolves to the base URL. Works for any
 * `node:http` server: `createServer(expressApp)`, `createServer(koaApp.callback())`, ….
 */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A server that records the headers it receives: the "other host" in origin tests. */
export async function foreignServer(): Promise<{ url: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  return { url: await listen(server), received };
}

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

/** The "other host" of origin tests: records the headers it receives; answers `status`. */
export interface ForeignServer {
  url: string;
  received: IncomingHttpHeaders[];
  /** Status of its answers (default 200), settable mid-test. */
  status: number;
}

/** A server that records the headers it receives: the "other host" in origin tests. */
export async function foreignServer(): Promise<ForeignServer> {
  const foreign: ForeignServer = { url: '', received: [], status: 200 };
  const server = createServer((request, response) => {
    foreign.received.push(request.headers);
    response.statusCode = foreign.status;
    response.setHeader('content-type', 'application/json');
    response.end(foreign.status === 200 ? '{"ok":true}' : '{"error":"unauthorized"}');
  });
  foreign.url = await listen(server);
  return foreign;
}

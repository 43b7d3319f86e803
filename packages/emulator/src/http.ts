import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A listening server that can be shut down even with requests hanging. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Request bodies past this size are refused: the emulator only ever expects small JSON. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Thrown by {@link readBody} for an oversized body; the handler answers 413. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Starts `handler` on `host:port` (0 picks a free port) and tracks sockets for a hard close. */
export async function listen(handler: Handler, host: string, port: number): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handler(req, res).catch(() => answerCrash(res));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostname}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive and deliberately hung sockets would otherwise hold close() open forever.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Sends `body` as JSON with `status`, unless the client has already gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, status === 204 ? '' : JSON.stringify(body), 'application/json');
}

/** Sends raw text with a content type, unless the client has already gone. */
export function sendText(res: ServerResponse, status: number, text: string, type: string): void {
  if (res.destroyed || res.headersSent) return;

  res.statusCode = status;
  if (status !== 204) {
    res.setHeader('content-type', type);
    res.setHeader('content-length', Buffer.byteLength(text));
  }
  res.end(status === 204 ? undefined : text);
}

/** Reads the whole request body, so a keep-alive connection is left clean for the next one. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body too large');

    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The token from `Authorization: Bearer <token>`; `null` when the header is not that shape. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;

  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1] ?? null;
}

function answerCrash(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, { error: 'internal_error', message: 'The emulator failed to answer.' });
}

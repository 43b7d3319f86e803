// A trivial JSON server for client-side benchmarks: 401 without an Authorization header.
import { createServer } from 'node:http';

import { serveChild } from '../lib/child.mjs';

const BODY = JSON.stringify({ id: 1, name: 'Form 1' });

await serveChild(async () => {
  const server = createServer((req, res) => {
    const authorized = req.headers.authorization?.startsWith('Bearer ') === true;
    res.statusCode = authorized ? 200 : 401;
    res.setHeader('content-type', 'application/json');
    res.end(authorized ? BODY : '{"error":"unauthorized"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    info: { url: `http://127.0.0.1:${server.address().port}` },
    handlers: { cpu: () => process.cpuUsage() },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
});

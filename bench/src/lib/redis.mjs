/** A Redis server for the fleet benchmark: REDIS_URL, else a private redis-server on a free port. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

const START_TIMEOUT_MS = 10_000;

/**
 * Resolve to `{ url, stop, source }`, or `{ skipped: reason }` when no Redis can be had.
 */
export async function provideRedis() {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    const reachable = await ping(fromEnv);
    if (reachable !== true) return { skipped: `REDIS_URL is set but unreachable: ${reachable}` };
    return { url: fromEnv, stop: async () => undefined, source: 'REDIS_URL' };
  }

  const which = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (which.error !== undefined || which.status !== 0) {
    return {
      skipped:
        'no REDIS_URL and no redis-server binary on PATH (install one, e.g. ' +
        '`apt-get install -y redis-server`, or set REDIS_URL)',
    };
  }

  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'not started';
  while (Date.now() < deadline) {
    last = await ping(url);
    if (last === true) break;
    await sleep(100);
  }
  const stop = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, sleep(3_000)]);
    if (server.exitCode === null) server.kill('SIGKILL');
  };
  if (last !== true) {
    await stop();
    return { skipped: `redis-server did not answer on port ${port}: ${last}` };
  }
  return {
    url,
    stop,
    source: `redis-server ${which.stdout.trim().split(' ')[2] ?? ''} on ${port}`,
  };
}

async function ping(url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    return String(error?.message ?? error);
  } finally {
    redis.disconnect();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

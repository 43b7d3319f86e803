import { Redis } from 'ioredis';
import { afterAll, afterEach } from 'vitest';

const HOW_TO_RUN =
  'Start one (e.g. `redis-server --port 6390 --save "" --appendonly no --daemonize yes`) and run ' +
  'with REDIS_URL=redis://127.0.0.1:6390.';

/**
 * The Redis server the tests run against, from REDIS_URL. In CI a missing or unreachable server
 * fails the file (a skipped store test would pass CI while testing nothing); elsewhere the tests
 * are skipped with a loud warning.
 */
export async function redisUnderTest(): Promise<string | undefined> {
  const url = process.env['REDIS_URL'];
  const problem = url === undefined || url === '' ? 'REDIS_URL is not set' : await unreachable(url);
  if (problem === undefined) return url;

  if (process.env['CI']) {
    throw new Error(`@gecko-auth/redis tests need Redis in CI, but ${problem}. ${HOW_TO_RUN}`);
  }
  console.warn(
    `\n!!! SKIPPING @gecko-auth/redis tests: ${problem}. ${HOW_TO_RUN} In CI this fails.\n`,
  );
  return undefined;
}

async function unreachable(url: string): Promise<string | undefined> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed."; the error event says why.
  let cause: Error | undefined;
  probe.on('error', (error: Error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (error) {
    const reason = cause ?? (error instanceof Error ? error : new Error(String(error)));
    return `Redis at ${url} is unreachable (${reason.message})`;
  } finally {
    probe.disconnect();
  }
}

const clients: Redis[] = [];
const keys: string[] = [];

afterEach(async () => {
  const [first] = clients;
  if (first !== undefined && keys.length > 0) await first.del(...keys.splice(0));
});
afterAll(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

/** A new connection to `url`, disconnected after the file: one per simulated process. */
export function client(url: string): Redis {
  const redis = new Redis(url);
  clients.push(redis);
  return redis;
}

/** The file's one connection for looking at keys from outside the stores. */
export function inspector(url: string): Redis {
  return clients[0] ?? client(url);
}

/** A key no other test uses, deleted (with its lock key) after the test. */
export function uniqueKey(): string {
  const key = `gecko-test:${crypto.randomUUID()}`;
  keys.push(key, `{${key}}:lock`);
  return key;
}

// gecko-auth end to end: a local GeckoForm emulator, an app using gecko-auth, and traffic that
// crosses the ID token's expiry. Usage: node demo.mjs [plain|axios|express|hono|koa]
import { GeckoAuth } from '@gecko-auth/core';
import { startEmulator } from '@gecko-auth/emulator';

const HOUR = 60 * 60 * 1000;
const apps = {
  plain: () => import('./plain-app.mjs'),
  axios: () => import('@gecko-auth/example-axios/app'),
  express: () => import('@gecko-auth/example-express/app'),
  hono: () => import('@gecko-auth/example-hono/app'),
  koa: () => import('@gecko-auth/example-koa/app'),
};

const framework = process.argv[2] ?? 'plain';
if (!(framework in apps)) {
  console.error(`Unknown app "${framework}". Choose one of: ${Object.keys(apps).join(', ')}.`);
  process.exit(2);
}

const emulator = await startEmulator();
const tokens = await emulator.issueTokens();
const auth = new GeckoAuth({
  tokens,
  apiUrl: emulator.apiUrl,
  refreshUrl: emulator.refreshUrl,
  // The emulator's clock is the one we move forward; the app must see the same time.
  clock: emulator.clock,
});
auth.on('refresh', (event) => {
  log(`  ↻ refreshed (${event.reason}); new ID token expires ${iso(event.idExpiresAt)}`);
});
auth.on('error', (event) => log(`  ! ${event.error.code}: ${event.error.message}`));

const { startApp } = await apps[framework]();
const app = await startApp(auth);
let served = 0;
let failed = 0;

log(`GeckoForm emulator: API ${emulator.apiUrl}, account ${emulator.accountUrl}`);
log(`Example app (${framework}): ${app.url}`);
const expiryBefore = (await auth.getIdToken(), auth.tokens.idExpiresAt);
log(`ID token expires ${iso(expiryBefore)}\n`);

try {
  log('1. Five requests with a fresh ID token:');
  await traffic(5, 1);

  log('\n2. The clock moves 25 hours: the ID token has expired.');
  emulator.clock.advance(25 * HOUR);
  log('   50 concurrent requests arrive at once:');
  await traffic(50, 10);

  log('\n3. Another 25 hours, and another 50 concurrent requests:');
  emulator.clock.advance(25 * HOUR);
  await traffic(50, 10);
} finally {
  await app.close();
  auth.close();
  await emulator.close();
}

const expiryAfter = auth.tokens.idExpiresAt;
log('\nSummary');
log(`  requests served:          ${served} (${failed} failed)`);
log(`  refresh calls (emulator): ${emulator.stats.refreshCalls}`);
log(`  GeckoForm API calls:      ${emulator.stats.apiCalls}`);
log(`  ID token expiry before:   ${iso(expiryBefore)}`);
log(`  ID token expiry after:    ${iso(expiryAfter)}`);

const ok = failed === 0 && served === 105 && emulator.stats.refreshCalls === 2;
log(ok ? '\nOK: every request succeeded across two expiries, with one refresh each.' : '\nFAILED');
process.exit(ok ? 0 : 1);

async function traffic(count, pages) {
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) => fetch(`${app.url}/forms?page=${(i % pages) + 1}`)),
  );
  const statuses = new Map();
  for (const response of responses) {
    const body = await response.json();
    if (response.ok && Array.isArray(body.data)) served++;
    else failed++;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  const summary = [...statuses].map(([status, n]) => `${n}× ${status}`).join(', ');
  log(`   → ${summary}; refresh calls so far: ${emulator.stats.refreshCalls}`);
}

function iso(time) {
  return new Date(time).toISOString().replace('.000Z', 'Z');
}

function log(line) {
  console.log(line);
}

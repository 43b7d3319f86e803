// List GeckoForm forms through axios, before and after the ID token expires, against a local
// GeckoForm emulator. Usage: pnpm start (builds the packages it uses, then runs this file).
import axios from 'axios';
import { createGeckoAxios } from '@gecko-auth/axios';
import { GeckoAuth } from '@gecko-auth/core';
import { startEmulator } from '@gecko-auth/emulator';

// Past the one-day life of an ID token, well inside the refresh token's 30 days.
const PAST_ID_EXPIRY_MS = 25 * 60 * 60 * 1000;

const emulator = await startEmulator();
try {
  const tokens = await emulator.issueTokens();
  const auth = new GeckoAuth({
    tokens,
    apiUrl: emulator.apiUrl,
    refreshUrl: emulator.refreshUrl,
    // The emulator's clock is the one moved forward below; GeckoAuth must see the same time.
    clock: emulator.clock,
  });
  auth.on('refresh', (event) => {
    console.log(`  ↻ refreshed (${event.reason}); new ID token expires ${iso(event.idExpiresAt)}`);
  });

  const gecko = createGeckoAxios(auth);
  console.log(`GeckoForm emulator: API ${emulator.apiUrl}, account ${emulator.accountUrl}`);

  await listForms(gecko, 'First list, with the ID token GeckoForm issued:');

  emulator.clock.advance(PAST_ID_EXPIRY_MS);
  console.log(`\nClock moved to ${iso(emulator.clock.now())}: that ID token has expired.`);

  await listForms(gecko, 'Second list, same code, no token handling in sight:');

  const { refreshCalls, apiCalls, unauthorizedApiCalls } = emulator.stats;
  console.log(
    `\nGeckoForm saw ${apiCalls} API calls, ${unauthorizedApiCalls} answered 401, ` +
      `and ${refreshCalls} token refresh.`,
  );
  if (refreshCalls !== 1 || unauthorizedApiCalls !== 0) {
    console.error('Expected exactly one refresh and no 401s.');
    process.exitCode = 1;
  }
} catch (error) {
  // An AxiosError for HTTP failures; a gecko-auth error (with a `code`) when auth itself failed.
  const detail = axios.isAxiosError(error) ? `HTTP ${error.response?.status}` : error.code;
  console.error(`Failed (${detail}): ${error.message}`);
  process.exitCode = 1;
} finally {
  await emulator.close();
}

async function listForms(client, title) {
  const { data } = await client.get('/forms', { params: { per_page: 5 } });
  console.log(`\n${title}`);
  for (const form of data.data) console.log(`  #${form.id} ${form.name} (${form.status})`);
  console.log(`  … ${data.total} forms in all`);
}

function iso(time) {
  return new Date(time).toISOString();
}

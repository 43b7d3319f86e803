// Runs an example app. With GECKO_ID, GECKO_ACCESS and GECKO_REFRESH set it calls GeckoForm
// (GECKO_REGION, default "eu", or GECKO_API_URL; GECKO_REFRESH_URL optional). With no GECKO_*
// variable at all it starts a local GeckoForm emulator and uses tokens issued by it.
import { GeckoAuth } from '@gecko-auth/core';
import { startEmulator } from '@gecko-auth/emulator';

/**
 * Start `startApp(auth, { port })` with a GeckoAuth from the environment (or a local emulator),
 * log refreshes, and shut everything down on Ctrl-C.
 */
export async function runExample({ name, defaultPort, startApp }) {
  const { auth, emulator } = await connect();
  auth.on('refresh', ({ reason, idExpiresAt }) => {
    console.log(
      `GeckoForm tokens refreshed (${reason}); the ID token now expires ${idExpiresAt.toISOString()}.`,
    );
  });
  auth.on('reauth-required', ({ error }) => console.error(error.message));

  const app = await startApp(auth, { port: Number(process.env.PORT ?? defaultPort) });
  console.log(`${name} example: ${app.url}/forms (Ctrl-C to stop)`);

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      await app.close();
      auth.close();
      await emulator?.close();
    });
  }
}

async function connect() {
  const given = Object.keys(process.env).filter((name) => name.startsWith('GECKO_'));
  if (given.length === 0) {
    const local = await startEmulator();
    console.log(`No GECKO_* variables: using a local GeckoForm emulator at ${local.apiUrl}.`);
    const tokens = await local.issueTokens();
    const auth = new GeckoAuth({ tokens, apiUrl: local.apiUrl, refreshUrl: local.refreshUrl });
    return { auth, emulator: local };
  }

  const { GECKO_ID: id, GECKO_ACCESS: access, GECKO_REFRESH: refresh } = process.env;
  if (!id || !access || !refresh) {
    console.error('Set GECKO_ID, GECKO_ACCESS and GECKO_REFRESH, or no GECKO_* variable at all.');
    process.exit(1);
  }
  // Tokens refreshed here live in memory only: a long-running app should pass a persistent
  // `store`, or it is locked out once the first refresh token expires.
  const auth = new GeckoAuth({
    tokens: { id, access, refresh },
    region: process.env.GECKO_REGION ?? 'eu',
    apiUrl: process.env.GECKO_API_URL,
    refreshUrl: process.env.GECKO_REFRESH_URL,
  });
  return { auth, emulator: undefined };
}

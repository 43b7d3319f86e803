/**
 * 3. Token hot path: `auth.getIdToken()` with a valid token vs google-auth-library's
 * `OAuth2Client#getAccessToken()` with valid credentials, and vs a naive getter that decodes the JWT
 * (jose `decodeJwt`) on every call. Each tinybench iteration awaits the call 1,000 times, so timer
 * resolution does not swamp a sub-microsecond operation.
 */
import { GeckoAuth } from '@gecko-auth/core';
import { startEmulator } from '@gecko-auth/emulator';
import { OAuth2Client } from 'google-auth-library';
import { decodeJwt } from 'jose';
import { Bench } from 'tinybench';

import { fmt } from '../lib/format.mjs';
import { ratio, round } from '../lib/stats.mjs';

export const name = 'token';
export const title = 'Token hot path';
export const description =
  "`auth.getIdToken()` with a valid token vs google-auth-library's `OAuth2Client#getAccessToken()` with credentials whose `expiry_date` is ten years ahead, and vs a naive getter that decodes the JWT with jose's `decodeJwt` and checks `exp` on every call. tinybench, 1 s per candidate after warm-up; each sample awaits 1,000 calls.";

const CALLS_PER_ITERATION = 1_000;
const YEAR_MS = 365 * 24 * 60 * 60_000;

export async function run(settings) {
  const emulator = await startEmulator({ host: '127.0.0.1' });
  const tokens = await emulator.issueTokens();
  const auth = new GeckoAuth({
    tokens,
    apiUrl: emulator.apiUrl,
    refreshUrl: emulator.refreshUrl,
  });
  const google = new OAuth2Client();
  google.setCredentials({ access_token: tokens.id, expiry_date: Date.now() + 10 * YEAR_MS });
  const naive = naiveGetter(tokens.id);

  try {
    // Same answers first: each candidate returns the ID token without any I/O.
    const answers = [await auth.getIdToken(), (await google.getAccessToken()).token, await naive()];
    if (answers.some((token) => token !== tokens.id)) throw new Error('a candidate got no token');

    const bench = new Bench({ time: settings.microTimeMs, warmupTime: settings.microWarmupMs });
    bench
      .add('gecko-auth getIdToken()', async () => {
        for (let i = 0; i < CALLS_PER_ITERATION; i++) await auth.getIdToken();
      })
      .add('google-auth-library getAccessToken()', async () => {
        for (let i = 0; i < CALLS_PER_ITERATION; i++) await google.getAccessToken();
      })
      .add('naive: jose decodeJwt per call', async () => {
        for (let i = 0; i < CALLS_PER_ITERATION; i++) await naive();
      });
    await bench.run();

    const results = bench.tasks.map((task) => {
      const meanMs = task.result.latency.mean;
      return {
        name: task.name,
        opsPerSec: round((CALLS_PER_ITERATION / meanMs) * 1000),
        nsPerCall: round((meanMs * 1e6) / CALLS_PER_ITERATION, 1),
        rmePercent: round(task.result.latency.rme, 2),
        samples: task.result.latency.samplesCount,
      };
    });
    const [ours, googleResult, naiveResult] = results;
    const vsGoogle = ratio(ours.opsPerSec, googleResult.opsPerSec);
    const vsNaive = ratio(ours.opsPerSec, naiveResult.opsPerSec);
    return {
      rows: [
        {
          case: '`getIdToken()` vs google-auth-library',
          measure: 'ops/s, ours ÷ theirs',
          ratio: vsGoogle,
          target: '> 1',
          met: vsGoogle > 1,
          absolute: `${fmt(ours.opsPerSec)} vs ${fmt(googleResult.opsPerSec)} ops/s`,
        },
        {
          case: '`getIdToken()` vs decode-per-call',
          measure: 'ops/s, ours ÷ naive',
          ratio: vsNaive,
          target: '—',
          met: null,
          absolute: `${fmt(ours.opsPerSec)} vs ${fmt(naiveResult.opsPerSec)} ops/s`,
        },
      ],
      tables: [
        {
          title: `Awaited calls, ${fmt(CALLS_PER_ITERATION)} per sample (tinybench)`,
          columns: ['candidate', 'ops/s', 'ns/call', '± % (95% CI)', 'samples', 'ratio to ours'],
          rows: results.map((result) => [
            result.name,
            fmt(result.opsPerSec),
            result.nsPerCall,
            result.rmePercent,
            result.samples,
            ratio(result.opsPerSec, ours.opsPerSec),
          ]),
        },
      ],
      data: results,
    };
  } finally {
    auth.close();
    await emulator.close();
  }
}

/** What hand-written code often does: decode the token on every call to check its expiry. */
function naiveGetter(token) {
  return async () => {
    const { exp } = decodeJwt(token);
    if (typeof exp !== 'number' || exp * 1000 <= Date.now()) throw new Error('expired');
    return token;
  };
}

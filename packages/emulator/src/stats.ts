import type { EmulatorStats } from './types.js';

/** A fresh, zeroed stats object. The emulator mutates this one object for its whole life. */
export function createStats(): EmulatorStats {
  return {
    refreshCalls: 0,
    successfulRefreshes: 0,
    apiCalls: 0,
    apiCallsByToken: new Map(),
    unauthorizedApiCalls: 0,
    requests: [],
  };
}

/** Zeroes `stats` in place, so references held by tests stay live. */
export function resetStats(stats: EmulatorStats): void {
  stats.refreshCalls = 0;
  stats.successfulRefreshes = 0;
  stats.apiCalls = 0;
  stats.apiCallsByToken.clear();
  stats.unauthorizedApiCalls = 0;
  stats.requests.length = 0;
}

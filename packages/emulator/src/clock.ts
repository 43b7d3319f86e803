import type { EmulatorClock } from './types.js';

/**
 * A clock that runs at real speed from `startTime` and can be jumped. It is an offset over
 * `Date.now()` so that tokens issued by a long-running CLI still expire in real time.
 */
export function createClock(startTime: number): EmulatorClock {
  let offset = startTime - Date.now();

  return {
    now: () => Date.now() + offset,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new TypeError('clock.advance(ms) expects a finite number of milliseconds >= 0');
      }

      offset += ms;
    },
    set(epochMs: number): void {
      if (!Number.isFinite(epochMs)) {
        throw new TypeError('clock.set(epochMs) expects a finite epoch in milliseconds');
      }

      offset = epochMs - Date.now();
    },
  };
}

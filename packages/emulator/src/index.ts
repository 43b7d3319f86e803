/**
 * A local GeckoForm look-alike for tests, demos and benchmarks: an account server with the
 * refresh endpoint, a regional API server, real signed JWTs, a controllable clock and faults.
 *
 * @example
 * ```ts
 * import { startEmulator } from '@gecko-auth/emulator';
 *
 * const emulator = await startEmulator();
 * const tokens = await emulator.issueTokens();
 * ```
 * @packageDocumentation
 */
export { startEmulator, type Emulator } from './emulator.js';
export type { FaultTarget } from './faults.js';
export type {
  EmulatorClock,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  IssueTokensOptions,
  RecordedRequest,
  RefreshResponseShape,
  TokenTriple,
} from './types.js';

/**
 * @packageDocumentation
 * Helpers shared by gecko-auth's own test suites (private, never published). Everything a helper
 * starts — emulators, servers, child processes — is stopped after the test that started it.
 */
export { onCleanup, startTestEmulator } from './cleanup.js';
export { deferred, until } from './async.js';
export { foreignServer, listen, type ForeignServer } from './servers.js';
export { resultOf, spawnChild, type Child } from './children.js';

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

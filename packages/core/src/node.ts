/**
 * @packageDocumentation
 * Node-only parts of gecko-auth (they use `node:` modules), kept apart so the main entry runs on
 * edge runtimes.
 */
export { FileStore, type FileStoreOptions } from './stores/file-store.js';
export { defineRequestClient, hangUpSignal } from './adapters/request-client.js';

/** Bounded connection pools, so a burst of calls queues in the client instead of opening a socket
 * per call (which would measure the kernel's accept backlog, not the library). */
import { Agent as HttpAgent } from 'node:http';

import { Agent } from 'undici';

/** The global `fetch`, sending through a pool of at most `connections` sockets per origin. */
export function pooledFetch(connections) {
  const dispatcher = new Agent({ connections });
  const fetchWithPool = (input, init) => globalThis.fetch(input, { ...init, dispatcher });
  return Object.assign(fetchWithPool, { close: () => dispatcher.close() });
}

/** A keep-alive `http.Agent` with at most `connections` sockets per origin, for axios. */
export function pooledAgent(connections) {
  return new HttpAgent({ keepAlive: true, maxSockets: connections });
}

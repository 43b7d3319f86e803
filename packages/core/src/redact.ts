/**
 * The key `util.inspect` looks up for custom output. Using the registered symbol keeps the main
 * entry free of `node:` imports while still hiding secrets from `console.log` on Node, Bun and Deno.
 */
export const redactedInspect: unique symbol = Symbol.for('nodejs.util.inspect.custom');

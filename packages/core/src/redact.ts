/**
 * The key `util.inspect` looks up for custom output. Using the registered symbol keeps the main
 * entry free of `node:` imports while still hiding secrets from `console.log` on Node, Bun and Deno.
 */
export const redactedInspect: unique symbol = Symbol.for('nodejs.util.inspect.custom');

const REDACTED = '[redacted]';

/**
 * `value` with every occurrence of the given secrets replaced, for a body GeckoForm sent back that
 * might quote the token it refused. Leaves `value` untouched (same object) when none occurs.
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  const present = secrets.filter((secret) => secret.length > 0);
  if (present.length === 0) return value;

  if (typeof value === 'string')
    return present.reduce((text, secret) => text.split(secret).join(REDACTED), value);
  if (typeof value !== 'object' || value === null) return value;

  const json = JSON.stringify(value);
  if (!present.some((secret) => json.includes(secret))) return value;
  return JSON.parse(redactSecrets(json, present) as string) as unknown;
}

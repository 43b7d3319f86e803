/**
 * The key `util.inspect` looks up for custom output. Using the registered symbol keeps the main
 * entry free of `node:` imports while still hiding secrets from `console.log` on Node, Bun and Deno.
 */
export const redactedInspect: unique symbol = Symbol.for('nodejs.util.inspect.custom');

const REDACTED = '[redacted]';

/**
 * `value` with every occurrence of the given secrets replaced by `[redacted]`, for a body a server
 * sent back that might quote the token it refused. Strings, arrays and plain objects are handled;
 * anything else (streams, buffers) and any value without a secret is returned as it is.
 *
 * @example
 * ```ts
 * redactSecrets({ Message: `bad token ${token}` }, [token]); // { Message: 'bad token [redacted]' }
 * ```
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  const present = secrets.filter((secret) => secret.length > 0);
  if (present.length === 0) return value;

  if (typeof value === 'string') {
    return present.reduce((text, secret) => text.split(secret).join(REDACTED), value);
  }
  if (!isJsonLike(value)) return value;

  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return value;
  }
  if (!present.some((secret) => json.includes(secret))) return value;
  return JSON.parse(redactSecrets(json, present) as string) as unknown;
}

function isJsonLike(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;

  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Where GeckoForm lives, and the rules for which origin may receive which token. */

/** GeckoForm's published refresh endpoint. */
export const DEFAULT_REFRESH_URL = 'https://account-api.geckoengage.com/tokens/refresh';

/** The regional API host for a region name, e.g. `eu` → `https://api-eu.geckoform.com`. */
export function regionApiUrl(region: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(region)) {
    throw new TypeError(`\`region\` must be a short lowercase name such as "eu" or "ca".`);
  }
  return `https://api-${region}.geckoform.com`;
}

/**
 * Parse and check a configured URL: absolute, no credentials, and `https:` unless the host is
 * loopback (the emulator, local tests) or `allowInsecure` is set.
 */
export function parseServiceUrl(value: unknown, option: string, allowInsecure: boolean): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`\`${option}\` must be an absolute URL string.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`\`${option}\` must be an absolute URL.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`\`${option}\` must not contain credentials.`);
  }
  // `href`, not `search`/`hash`: those are empty for a bare trailing `?` or `#`.
  if (/[?#]/.test(url.href)) {
    throw new TypeError(`\`${option}\` must not have a query string or a fragment.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') throw new TypeError(`\`${option}\` must use https.`);
  if (allowInsecure || isLoopbackHost(url.hostname)) return url;

  throw new TypeError(
    `\`${option}\` uses plain http to a non-loopback host; tokens would travel unencrypted. ` +
      'Use https, or set `allowInsecureHttp: true` if you really mean it.',
  );
}

/** True for hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

import type { AxiosRequestConfig } from 'axios';

type BeforeRedirect = NonNullable<AxiosRequestConfig['beforeRedirect']>;
type RedirectOptions = Parameters<BeforeRedirect>[0];

/** Hooks made by {@link guardRedirects}; a settled config that is sent again already has one. */
const guards = new WeakSet<BeforeRedirect>();

/**
 * Wrap a request's `beforeRedirect` hook so the Authorization header is dropped when a redirect
 * leaves the API origin. follow-redirects drops it only on a change of host (not to a subdomain,
 * nor on a switch to https); only recent axios versions drop it on every change of origin.
 */
export function guardRedirects(
  hook: BeforeRedirect | undefined,
  apiOrigin: string,
): BeforeRedirect {
  if (hook !== undefined && guards.has(hook)) return hook;

  // Ours first, then the user's: a user hook may still set its own header for the new host.
  const guard: BeforeRedirect = function geckoAuthRedirectGuard(...args) {
    const [options] = args;
    const headers: unknown = options['headers'];
    if (redirectOrigin(options) !== apiOrigin && typeof headers === 'object' && headers !== null) {
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === 'authorization') Reflect.deleteProperty(headers, name);
      }
    }
    hook?.(...args);
  };
  guards.add(guard);
  return guard;
}

function redirectOrigin(options: RedirectOptions): string | undefined {
  const href: unknown = options['href'];
  try {
    return typeof href === 'string' ? new URL(href).origin : undefined;
  } catch {
    // An unreadable target counts as foreign: the header is dropped.
    return undefined;
  }
}

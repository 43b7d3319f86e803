import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';

/** What a settled request's config shows instead of the ID token, so logged errors carry none. */
const REDACTED = '[REDACTED]';
/** The Authorization line of a raw HTTP/1.1 request head. */
const AUTHORIZATION_LINE = /^(authorization:)[^\r\n]*/gim;

/**
 * What `request` holds on a response or error from the GeckoForm API once it has passed the
 * interceptors, in place of the adapter's raw request object (a Node `ClientRequest` or a fetch
 * `Request`), which keeps the sent `Authorization` header in places no redaction reaches reliably.
 * Present exactly where axios had a request, so `error.request` without `error.response` still
 * means "sent, but no answer".
 *
 * @example
 * ```ts
 * if (axios.isAxiosError(error) && error.request && !error.response) {
 *   const { method, host, path } = error.request as GeckoRequestSummary;
 *   logger.warn(`no answer to ${method} ${host}${path}`);
 * }
 * ```
 */
export interface GeckoRequestSummary {
  /** Upper case, e.g. `'GET'`. */
  readonly method: string;
  /** The URL the request finally went to (after redirects, where the adapter tells), without
   * user info. */
  readonly url: string;
  /** Host of `url`, with its port unless the default, e.g. `'api-eu.geckoform.com'`. */
  readonly host: string;
  /** Path and query of `url`, e.g. `'/forms?per_page=15'`. */
  readonly path: string;
}

class RequestSummary implements GeckoRequestSummary {
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly path: string;

  constructor(method: string, url: URL) {
    this.method = method;
    this.url = `${url.origin}${url.pathname}${url.search}`;
    this.host = url.host;
    this.path = `${url.pathname}${url.search}`;
    Object.freeze(this);
  }
}

/**
 * Take the token out of everything a settled API request leaves to be logged: the header in the
 * config is replaced, and the raw request objects on the error and the response give way to a
 * {@link GeckoRequestSummary} of `url` (where the request finally went).
 */
export function conceal(
  config: InternalAxiosRequestConfig,
  url: URL,
  response: AxiosResponse | undefined,
  error?: AxiosError,
): void {
  // axios turns the headers into AxiosHeaders before sending, so a settled request's have `set`.
  config.headers.set('Authorization', REDACTED);

  // The raw objects stay reachable after `request` is replaced: a body left as a live stream
  // (responseType 'stream', http adapter) points back to its request, and through the socket and
  // agent to earlier requests that used them. So they lose the token in place too.
  redactSentHeaders(response?.request);
  redactSentHeaders(error?.request);

  const method = (
    rawMethod(response?.request ?? error?.request) ??
    config.method ??
    'get'
  ).toUpperCase();
  const summary = new RequestSummary(method, url);
  for (const holder of [response, error]) {
    const descriptor = holder && Object.getOwnPropertyDescriptor(holder, 'request');
    const raw: unknown = descriptor?.value;
    if (raw === undefined || raw === null || raw instanceof RequestSummary) continue;

    if (descriptor?.configurable === true || descriptor?.writable === true) {
      Object.defineProperty(holder, 'request', { ...descriptor, value: summary });
    }
  }
}

/** The method the last hop was sent with: a 303 (or a 301/302 after a POST) turns it into GET. */
function rawMethod(request: unknown): string | undefined {
  const method: unknown = isObject(request) ? Reflect.get(request, 'method') : undefined;
  return typeof method === 'string' ? method : undefined;
}

/**
 * Redact, in place, what the http adapter's request objects keep of the headers they sent: a Node
 * `ClientRequest` its raw head (`_header`) and out-headers map (an own symbol property of
 * `[name, value]` pairs); follow-redirects' wrapper, which either object may be, its options for a
 * next hop. The request has settled, and Node and follow-redirects read these only while sending.
 */
function redactSentHeaders(request: unknown): void {
  if (!isObject(request)) return;

  const related = [
    request,
    Reflect.get(request, '_redirectable'),
    Reflect.get(request, '_currentRequest'),
  ];
  for (const part of related) {
    if (!isObject(part)) continue;

    const head: unknown = Reflect.get(part, '_header');
    if (typeof head === 'string') {
      Reflect.set(part, '_header', head.replace(AUTHORIZATION_LINE, `$1 ${REDACTED}`));
    }
    for (const key of Object.getOwnPropertySymbols(part)) {
      const headers: unknown = Reflect.get(part, key);
      const entry: unknown = isObject(headers) ? Reflect.get(headers, 'authorization') : undefined;
      if (Array.isArray(entry) && entry.length === 2) entry[1] = REDACTED;
    }
    const options: unknown = Reflect.get(part, '_options');
    const headers: unknown = isObject(options) ? Reflect.get(options, 'headers') : undefined;
    if (isObject(headers)) {
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === 'authorization') Reflect.set(headers, name, REDACTED);
      }
    }
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * @packageDocumentation
 * axios interceptors for the GeckoForm API: attach a valid ID token to requests for the API
 * origin only, retry once with a refreshed token on a 401, and keep the token out of logged
 * errors and cross-origin redirects. Token state and refresh live in `@gecko-auth/core`.
 */
import axios from 'axios';
import type {
  AxiosInstance,
  AxiosRequestConfig,
  AxiosResponse,
  CreateAxiosDefaults,
  InternalAxiosRequestConfig,
} from 'axios';
import type { TokenSource } from '@gecko-auth/core';

/**
 * Options of {@link attachGeckoAuth}.
 *
 * @example
 * ```ts
 * attachGeckoAuth(instance, auth, { retryOnUnauthorized: false });
 * ```
 */
export interface GeckoAxiosOptions {
  /**
   * When the GeckoForm API answers 401, refresh the token if it is still the current one and
   * re-send the request once. Default `true`.
   */
  retryOnUnauthorized?: boolean;
}

type BeforeRedirect = NonNullable<AxiosRequestConfig['beforeRedirect']>;
type RedirectOptions = Parameters<BeforeRedirect>[0];

/** What a settled request's config shows instead of the ID token, so logged errors carry none. */
const REDACTED = '[REDACTED]';
/** Config key of {@link GeckoAuthMark}. A string, because older axios versions (1.6 among them)
 * drop symbol keys when they merge the config of a re-sent request. */
const MARK_KEY = 'geckoAuth';

/**
 * Rides on the config of a request for the API origin. Its token sits in a private field, out of
 * reach of `util.inspect` and `JSON.stringify`; as a class instance (not a plain object) it is
 * passed by reference through axios's config merges and copies.
 */
class GeckoAuthMark {
  readonly #token: string;
  /** False on the mark of a retry that is about to be sent with the token it holds. */
  readonly sent: boolean;
  /** True once the request has been re-sent after a 401: it is never re-sent again. */
  readonly retried: boolean;

  constructor(token: string, sent: boolean, retried: boolean) {
    this.#token = token;
    this.sent = sent;
    this.retried = retried;
  }

  token(): string {
    return this.#token;
  }
}

/**
 * Install a request and a response interceptor on `instance`: requests whose resolved URL is on
 * the GeckoForm API origin get `Authorization: Bearer <ID token>` (replacing any other value);
 * requests to other origins are left exactly as they are. A 401 from the API is retried once with
 * the token `auth.handleUnauthorized` returns. If the auth itself fails, the request rejects with
 * the typed core error (e.g. `ReauthRequiredError`); HTTP errors stay `AxiosError`s.
 *
 * Register it before your own logging interceptors: responses and errors are cleaned of the token
 * in its response interceptor.
 *
 * @returns A function that ejects both interceptors.
 * @throws {TypeError} when `instance`, `auth` or an option is invalid.
 *
 * @example
 * ```ts
 * const auth = new GeckoAuth({ region: 'eu', tokens, store });
 * const api = axios.create({ baseURL: auth.apiUrl });
 * const eject = attachGeckoAuth(api, auth);
 * const { data } = await api.get('/forms', { params: { per_page: 15 } });
 * eject();
 * ```
 */
export function attachGeckoAuth(
  instance: AxiosInstance,
  auth: TokenSource,
  options: GeckoAxiosOptions = {},
): () => void {
  const apiOrigin = validate(instance, auth, options);
  const retryOnUnauthorized = options.retryOnUnauthorized ?? true;

  // The config reaching an interceptor is already merged with the instance defaults, so an Axios
  // with none resolves it alike, without merging those defaults a second time per request.
  const resolver = new axios.Axios({});
  const isForApi = (config: InternalAxiosRequestConfig): boolean => {
    try {
      // axios's own rules: baseURL + url, an absolute url, or baseURL + url even for an absolute
      // url when allowAbsoluteUrls is false. A relative result (no baseURL) fails to parse.
      const { baseURL, url, allowAbsoluteUrls } = config;
      return new URL(resolver.getUri({ baseURL, url, allowAbsoluteUrls })).origin === apiOrigin;
    } catch {
      return false;
    }
  };

  const onRequest = async (
    config: InternalAxiosRequestConfig,
  ): Promise<InternalAxiosRequestConfig> => {
    if (!isForApi(config)) return config;

    const mark = readMark(config);
    // getIdToken waits while an expired token is being refreshed, so a request started during a
    // refresh goes out with the new token.
    const token = mark?.sent === false ? mark.token() : await auth.getIdToken();
    config.headers.set('Authorization', `Bearer ${token}`);
    writeMark(config, new GeckoAuthMark(token, true, mark?.retried ?? false));
    config.beforeRedirect = guardRedirects(config.beforeRedirect, apiOrigin);
    return config;
  };

  const onResponse = (response: AxiosResponse): AxiosResponse => {
    if (readMark(response.config)?.sent === true) conceal(response.config, response);
    return response;
  };

  const onError = async (error: unknown): Promise<AxiosResponse> => {
    if (!axios.isAxiosError(error) || error.config === undefined) throw error;

    const { config, response } = error;
    const mark = readMark(config);
    if (mark?.sent !== true) throw error;

    conceal(config, error, response);
    if (!retryOnUnauthorized || response?.status !== 401 || mark.retried) throw error;

    const rejected = mark.token();
    // Throws the core error (e.g. ReauthRequiredError) when the auth itself has failed.
    const next = await auth.handleUnauthorized(rejected);
    if (next === rejected) throw error;

    const retry: AxiosRequestConfig = { ...config };
    writeMark(retry, new GeckoAuthMark(next, false, true));
    return instance.request(retry);
  };

  const requestId = instance.interceptors.request.use(onRequest);
  const responseId = instance.interceptors.response.use(onResponse, onError);
  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}

/**
 * A new axios instance for the GeckoForm API, with `baseURL` = `auth.apiUrl`,
 * `Accept: application/json` and {@link attachGeckoAuth} installed. `config` is merged over
 * those defaults the way `axios.create` merges.
 *
 * @example
 * ```ts
 * const gecko = createGeckoAxios(auth, { timeout: 10_000 });
 * const { data } = await gecko.get('/forms', { params: { per_page: 15 } });
 * ```
 */
export function createGeckoAxios(auth: TokenSource, config?: CreateAxiosDefaults): AxiosInstance {
  const base = axios.create({ baseURL: auth.apiUrl, headers: { Accept: 'application/json' } });
  const instance = config === undefined ? base : base.create(config);
  attachGeckoAuth(instance, auth);
  return instance;
}

function validate(instance: AxiosInstance, auth: TokenSource, options: GeckoAxiosOptions): string {
  if (typeof instance?.interceptors?.request?.use !== 'function') {
    throw new TypeError('`instance` must be an axios instance (from axios.create()).');
  }
  if (typeof auth?.getIdToken !== 'function' || typeof auth.handleUnauthorized !== 'function') {
    throw new TypeError('`auth` must be a GeckoAuth (or have getIdToken and handleUnauthorized).');
  }
  if (!URL.canParse(auth.apiUrl)) {
    throw new TypeError('`auth.apiUrl` must be an absolute URL.');
  }
  const retry = options.retryOnUnauthorized;
  if (retry !== undefined && typeof retry !== 'boolean') {
    throw new TypeError('`retryOnUnauthorized` must be a boolean.');
  }
  return new URL(auth.apiUrl).origin;
}

function readMark(config: AxiosRequestConfig | undefined): GeckoAuthMark | undefined {
  const mark: unknown = config === undefined ? undefined : Reflect.get(config, MARK_KEY);
  return mark instanceof GeckoAuthMark ? mark : undefined;
}

function writeMark(config: AxiosRequestConfig, mark: GeckoAuthMark): void {
  Reflect.set(config, MARK_KEY, mark);
}

/**
 * Take the token out of what gets logged once a request has settled: the header in the config is
 * replaced, and the raw request objects (which keep the sent headers) become non-enumerable, so
 * `util.inspect` and `JSON.stringify` skip them while `error.request` still works.
 */
function conceal(config: InternalAxiosRequestConfig, ...holders: (object | undefined)[]): void {
  // axios turns the headers into AxiosHeaders before sending, so a settled request's have `set`.
  config.headers.set('Authorization', REDACTED);

  for (const holder of holders) {
    const descriptor = holder && Object.getOwnPropertyDescriptor(holder, 'request');
    if (descriptor?.enumerable === true && descriptor.configurable === true) {
      Object.defineProperty(holder, 'request', { ...descriptor, enumerable: false });
    }
  }
}

/** Hooks made by {@link guardRedirects}; a retry re-sends a config that already has one. */
const guards = new WeakSet<BeforeRedirect>();

/**
 * Wrap a request's `beforeRedirect` hook so the Authorization header is dropped when a redirect
 * leaves the API origin. follow-redirects drops it only on a change of host (not to a subdomain,
 * nor on a switch to https); only recent axios versions drop it on every change of origin.
 */
function guardRedirects(hook: BeforeRedirect | undefined, apiOrigin: string): BeforeRedirect {
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

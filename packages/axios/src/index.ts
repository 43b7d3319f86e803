/**
 * @packageDocumentation
 * axios interceptors for the GeckoForm API: attach a valid ID token to requests for the API
 * origin only, retry once with a refreshed token on a 401, and keep the token out of logged
 * errors and cross-origin redirects. Token state and refresh live in `@gecko-auth/core`.
 */
import axios from 'axios';
import type {
  Axios,
  AxiosError,
  AxiosInstance,
  AxiosRequestConfig,
  AxiosResponse,
  CreateAxiosDefaults,
  InternalAxiosRequestConfig,
} from 'axios';
import { redactSecrets, type TokenSource } from '@gecko-auth/core';
import { conceal } from './conceal.js';
import { finalUrl, recordingFetch } from './final-url.js';
import { guardRedirects } from './redirects.js';
import { withinRequestLimits } from './wait.js';

export type { GeckoRequestSummary } from './conceal.js';

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
  /** True once the request has been re-sent after a 401: it is never re-sent again. */
  readonly retried: boolean;

  constructor(token: string, retried: boolean) {
    this.#token = token;
    this.retried = retried;
  }

  token(): string {
    return this.#token;
  }
}

/** axios's own test for an absolute URL (a scheme, or protocol-relative `//`). */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
/** Distinct baseURLs whose origin is remembered; an app has a handful. */
const MAX_CACHED_BASE_URLS = 64;

function parseOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Install a request and a response interceptor on `instance`: requests whose resolved URL is on
 * the GeckoForm API origin get `Authorization: Bearer <ID token>` (replacing any other value);
 * requests to other origins are left exactly as they are. A 401 from the API is retried once with
 * the token `auth.handleUnauthorized` returns, past all interceptors, so the rest of the response
 * chain sees the retried outcome exactly once. If the auth itself fails, the request rejects with
 * the typed core error (e.g. `ReauthRequiredError`); HTTP errors stay `AxiosError`s. While a
 * request waits for a token, its `signal`, `cancelToken` and `timeout` apply as they do in axios.
 *
 * Register it before your own response interceptors: responses and errors are cleaned of the
 * token in its response interceptor, and only interceptors after it see a retried response.
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
  let bare: Pick<Axios, 'request'> | undefined;

  // The config reaching an interceptor is already merged with the instance defaults, so an Axios
  // with none resolves it alike, without merging those defaults a second time per request.
  const resolver = new axios.Axios({});
  const resolveUrl = (config: AxiosRequestConfig, query: boolean): URL | undefined => {
    try {
      // axios's own rules: baseURL + url, an absolute url, or baseURL + url even for an absolute
      // url when allowAbsoluteUrls is false. A relative result (no baseURL) fails to parse.
      const { baseURL, url, allowAbsoluteUrls, params, paramsSerializer } = config;
      const target = query ? { params, paramsSerializer } : {};
      return new URL(resolver.getUri({ baseURL, url, allowAbsoluteUrls, ...target }));
    } catch {
      return undefined;
    }
  };

  // The per-request origin check, without axios's full URL build: a relative url always lands on
  // its baseURL's origin (axios joins them with a slash), so only baseURL origins need parsing,
  // and those are few and cached.
  const baseOrigins = new Map<string, string | undefined>();
  const originOf = ({
    baseURL,
    url,
    allowAbsoluteUrls,
  }: AxiosRequestConfig): string | undefined => {
    if (url !== undefined && allowAbsoluteUrls !== false && ABSOLUTE_URL.test(url)) {
      return parseOrigin(url);
    }
    if (baseURL === undefined) return undefined;

    let origin = baseOrigins.get(baseURL);
    if (origin === undefined && !baseOrigins.has(baseURL)) {
      origin = parseOrigin(baseURL);
      if (baseOrigins.size < MAX_CACHED_BASE_URLS) baseOrigins.set(baseURL, origin);
    }
    return origin;
  };

  const onRequest = async (
    config: InternalAxiosRequestConfig,
  ): Promise<InternalAxiosRequestConfig> => {
    if (originOf(config) !== apiOrigin) return config;

    // Our own 401 retry never passes here (see `resend`). A config that was retried once and is
    // sent again by the caller keeps that mark, so no request is retried for auth twice.
    const retried = readMark(config)?.retried ?? false;
    // getIdToken waits while an expired token is being refreshed, so a request started during a
    // refresh goes out with the new token; the request's signal and timeout bound that wait.
    const token = await withinRequestLimits(auth.getIdToken(), config);
    config.headers.set('Authorization', `Bearer ${token}`);
    writeMark(config, new GeckoAuthMark(token, retried));
    config.beforeRedirect = guardRedirects(config.beforeRedirect, apiOrigin);
    // Only used by the fetch adapter, which otherwise keeps no trace of redirects.
    config.env = { ...config.env, fetch: recordingFetch(config.env?.fetch) };
    return config;
  };

  /** Clean a settled API request of the token; returns the URL its answer came from. */
  const settle = (
    config: InternalAxiosRequestConfig,
    response: AxiosResponse | undefined,
    error?: AxiosError,
  ): URL => {
    // Where the adapter leaves no trace of redirects, the URL asked for stands in, and a 401
    // counts as the API's: a needless refresh is cheap, a refused token kept in use is not.
    const url =
      parseUrl(finalUrl(response?.request ?? error?.request)) ??
      resolveUrl(config, true) ??
      new URL(apiOrigin);
    conceal(config, url, response, error);
    // An error body may quote the token that was refused; logged AxiosErrors carry the body.
    const sent = readMark(config)?.token();
    if (response !== undefined && response.status >= 400 && sent !== undefined) {
      response.data = redactSecrets(response.data, [sent]);
    }
    return url;
  };

  const onResponse = (response: AxiosResponse): AxiosResponse => {
    if (readMark(response.config) !== undefined) settle(response.config, response);
    return response;
  };

  const onError = async (error: unknown): Promise<AxiosResponse> => {
    if (!axios.isAxiosError(error) || error.config === undefined) throw error;

    const { config, response } = error;
    const mark = readMark(config);
    if (mark === undefined) throw error;

    const answeredFrom = settle(config, response, error);
    if (!retryOnUnauthorized || response?.status !== 401 || mark.retried) throw error;
    // Redirected elsewhere, the 401 is another server's verdict, not one on the ID token.
    if (answeredFrom.origin !== apiOrigin) throw error;

    const rejected = mark.token();
    // Throws the core error (e.g. ReauthRequiredError) when the auth itself has failed.
    const next = await withinRequestLimits(auth.handleUnauthorized(rejected), config);
    if (next === rejected) throw error;

    return resend(config, next);
  };

  /**
   * Send a 401'd request again with `token`, past every interceptor: the request interceptors
   * have done their work on this config already, and whatever follows this interceptor in the
   * original chain takes the outcome from here, so each interceptor runs once per request.
   */
  const resend = async (
    config: InternalAxiosRequestConfig,
    token: string,
  ): Promise<AxiosResponse> => {
    // A copy: the 401 error has been through the interceptors before this one, which may log it
    // later, so it keeps its redaction.
    const headers = config.headers.concat();
    headers.set('Authorization', `Bearer ${token}`);
    const retry: AxiosRequestConfig = { ...config, headers };
    writeMark(retry, new GeckoAuthMark(token, true));

    bare ??= bareRequester(instance);
    try {
      const response = await bare.request<unknown, AxiosResponse>(retry);
      settle(response.config, response);
      return response;
    } catch (error) {
      if (axios.isAxiosError(error) && error.config !== undefined) {
        settle(error.config, error.response, error);
      }
      throw error;
    }
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

function parseUrl(url: string | undefined): URL | undefined {
  return url !== undefined && URL.canParse(url) ? new URL(url) : undefined;
}

/**
 * An axios with no interceptors and no defaults, from the instance's own copy of axios (the
 * instance may come from another version than the one this package imports).
 */
function bareRequester(instance: AxiosInstance): Pick<Axios, 'request'> {
  if (typeof instance.create !== 'function') return new axios.Axios({});

  const bare = instance.create();
  // `create` copies the instance defaults. A retried config has them merged in already; merging
  // again would bring back default headers that a request interceptor removed.
  for (const key of Object.keys(bare.defaults)) Reflect.deleteProperty(bare.defaults, key);
  return bare;
}

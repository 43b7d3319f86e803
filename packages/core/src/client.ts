import { parseJsonOrUndefined, readTextLimited } from './body.js';
import {
  ForeignOriginError,
  GeckoApiError,
  GeckoAuthError,
  InvalidRequestError,
  NetworkError,
  RequestAbortedError,
  RequestTimeoutError,
  UnexpectedResponseError,
} from './errors.js';
import { paginate, type PaginateOptions } from './paginate.js';
import { MAX_TIMER_MS, backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry.js';
import { raceSignal, requestSignal, type RequestSignal } from './signals.js';

/** What a client needs from its token owner; {@link GeckoAuth} is one. */
export interface TokenSource {
  /** Base URL of the GeckoForm API: the only origin the ID token is sent to. */
  readonly apiUrl: string;
  /** Origin of `apiUrl`, if the source has it at hand (saves a URL parse per client). */
  readonly apiOrigin?: string;
  getIdToken(): Promise<string>;
  /**
   * The current ID token when it needs no refresh, else undefined: lets a client skip a promise
   * and an abort race on the hot path. Optional.
   */
  peekIdToken?(): string | undefined;
  handleUnauthorized(rejectedIdToken: string): Promise<string>;
}

/** Options of a {@link GeckoClient}, applied to each of its requests. */
export interface GeckoClientOptions {
  /**
   * Abort every request of this client when this signal aborts (e.g. the caller hung up). May be
   * a function, called at the first request, so that a client made per incoming request costs
   * nothing for the signal until it is used.
   */
  signal?: AbortSignal | (() => AbortSignal | undefined);
  /** Per-request timeout in ms. */
  timeout?: number;
  /** Retries of idempotent requests after 429/5xx or a network error. */
  retries?: number;
  /** Largest response body accepted, in bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

/** Query string values; `undefined` and `null` are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

/** Options of one request. */
export interface RequestOptions {
  query?: Query;
  /** Sent as JSON unless it is a string, `FormData`, `URLSearchParams`, `Blob` or bytes. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeout?: number;
  retries?: number;
}

/** A successful response: status, headers and the parsed body. */
export interface GeckoResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Same-origin redirects followed before giving up; a loop must not run forever. */
const MAX_REDIRECTS = 5;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * A fetch-based GeckoForm API client that attaches a valid ID token to every request, retries
 * once with a refreshed token on a 401, and retries idempotent requests on 429/5xx.
 *
 * @example
 * ```ts
 * const client = auth.client({ signal: request.signal });
 * const form = await client.get<Form>('/forms/42');
 * for await (const page of client.paginate<Form>('/forms')) console.log(page.length);
 * ```
 */
export class GeckoClient {
  readonly #auth: TokenSource;
  #options: GeckoClientOptions;
  readonly #origin: string;

  /** @throws {TypeError} for an invalid option, naming it. */
  constructor(auth: TokenSource, options: GeckoClientOptions = {}) {
    validateClientOptions(options);
    this.#auth = auth;
    this.#options = options;
    this.#origin = auth.apiOrigin ?? new URL(auth.apiUrl).origin;
  }

  /** A client like this one whose requests also abort with `signal`. */
  withSignal(signal: AbortSignal): GeckoClient {
    return new GeckoClient(this.#auth, { ...this.#options, signal });
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options).then(toData);
  }

  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body }).then(toData);
  }

  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body }).then(toData);
  }

  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body }).then(toData);
  }

  delete<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options).then(toData);
  }

  /**
   * Iterate a paginated list page by page (`page` / `per_page`), until a short or empty page or
   * until the body's metadata says it was the last.
   */
  paginate<T = unknown>(
    path: string,
    options?: PaginateOptions,
  ): AsyncGenerator<T[], void, undefined> {
    return paginate<T>((query) => this.get(path, { ...options, query }), path, options);
  }

  /**
   * Send a request and return status, headers and parsed body.
   *
   * @throws {GeckoApiError} for a non-2xx answer; {@link RequestTimeoutError},
   * {@link RequestAbortedError}, {@link NetworkError}, {@link ForeignOriginError}.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<GeckoResponse<T>> {
    if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
      throw new InvalidRequestError('The request method must be an HTTP method name such as GET.');
    }
    const verb = method.toUpperCase();
    const url = this.#resolve(path, options.query);
    validateClientOptions(options);
    const timeoutMs = options.timeout ?? this.#options.timeout ?? DEFAULT_TIMEOUT_MS;
    const lifetime = requestSignal(timeoutMs, [this.#clientSignal(), options.signal]);
    try {
      return await this.#attempt<T>(verb, url, options, lifetime, timeoutMs);
    } finally {
      lifetime.dispose();
    }
  }

  /** The client-wide signal, resolving a lazy one once. */
  #clientSignal(): AbortSignal | undefined {
    const { signal } = this.#options;
    if (typeof signal !== 'function') return signal;

    const resolved = signal();
    this.#options = { ...this.#options, signal: resolved };
    return resolved;
  }

  /** Send, retry once with a new token after GeckoForm's 401, retry 429/5xx when idempotent. */
  async #attempt<T>(
    verb: string,
    url: URL,
    options: RequestOptions,
    lifetime: RequestSignal,
    timeoutMs: number,
  ): Promise<GeckoResponse<T>> {
    const { signal } = lifetime;
    const shown = url.pathname + url.search;
    const retries = IDEMPOTENT.has(verb) ? (options.retries ?? this.#options.retries ?? 0) : 0;
    const fail = (error: unknown): never => {
      if (lifetime.timedOut) throw new RequestTimeoutError(verb, shown, timeoutMs);
      if (signal.aborted) throw new RequestAbortedError(verb, shown, { cause: signal.reason });
      if (error instanceof GeckoAuthError) throw error;
      throw new NetworkError(verb, shown, { cause: error });
    };

    let token =
      this.#auth.peekIdToken?.() ?? (await raceSignal(this.#auth.getIdToken(), signal).catch(fail));
    let authRetried = false;
    for (let attempt = 0; ;) {
      const sent = await this.#send(verb, url, token, options, signal).catch((error: unknown) => {
        if (signal.aborted || attempt >= retries || error instanceof GeckoAuthError) fail(error);
        return undefined;
      });
      if (sent === undefined) {
        await sleep(backoffDelay(attempt++), signal).catch(fail);
        continue;
      }

      // Only GeckoForm's own 401 says our token was refused; one from a host a redirect led to
      // says nothing about it.
      const { response, fromApi } = sent;
      if (response.status === 401 && fromApi && !authRetried) {
        authRetried = true;
        const next = await this.#auth.handleUnauthorized(token).catch(fail);
        if (next !== token) {
          await response.body?.cancel();
          token = next;
          continue;
        }
      }
      if (isRetryableStatus(response.status) && attempt < retries) {
        const delay =
          parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? backoffDelay(attempt);
        // Waiting past our own deadline would only turn a 429 into a timeout.
        if (delay < timeoutMs) {
          await response.body?.cancel();
          await sleep(delay, signal).catch(fail);
          attempt++;
          continue;
        }
      }
      const data = await this.#readBody(response, verb, shown).catch(fail);
      if (!response.ok) {
        // The token goes into `redact` in case the server quotes it back in its error body.
        const init = { status: response.status, method: verb, url: shown, body: data };
        throw new GeckoApiError({ ...init, redact: [token] });
      }

      return { status: response.status, headers: response.headers, data: data as T };
    }
  }

  /**
   * Send once, following redirects by hand: the token goes along only within the API origin.
   * Says whether the final response came from the API origin.
   */
  async #send(
    method: string,
    url: URL,
    token: string,
    options: RequestOptions,
    signal: AbortSignal,
  ): Promise<{ response: Response; fromApi: boolean }> {
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    const body = encodeBody(options.body);
    let target = url;
    let verb = method;
    for (let hop = 0; ; hop++) {
      const headers = requestHeaders(options.headers, body.contentType);
      // The token only ever goes to the API origin; elsewhere no Authorization goes at all.
      if (target.origin === this.#origin) headers['authorization'] = `Bearer ${token}`;
      else delete headers['authorization'];

      const response = await doFetch(target, {
        method: verb,
        headers,
        body: verb === 'GET' || verb === 'HEAD' ? undefined : body.payload,
        redirect: 'manual',
        signal,
      });
      const location = response.headers.get('location');
      if (
        response.status < 300 ||
        response.status > 399 ||
        location === null ||
        hop >= MAX_REDIRECTS
      ) {
        return { response, fromApi: target.origin === this.#origin };
      }
      await response.body?.cancel();
      target = new URL(location, target);
      // As fetch itself does: 303, and 301/302 after a POST, continue as a GET without the body.
      if (response.status === 303 || (verb === 'POST' && response.status <= 302)) verb = 'GET';
    }
  }

  async #readBody(response: Response, method: string, shown: string): Promise<unknown> {
    const limit = this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const { text, truncated } = await readTextLimited(response, limit);
    if (truncated)
      throw new UnexpectedResponseError(method, shown, `body larger than ${limit} bytes`);
    if (text === '') return undefined;

    const type = response.headers.get('content-type') ?? '';
    return type.includes('json') ? (parseJsonOrUndefined(text) ?? text) : text;
  }

  /** A path resolves under the API base URL; a URL, or a protocol-relative `//host`, stays
   * absolute and must then be on the API origin. */
  #parse(path: string): URL {
    if (typeof path !== 'string')
      throw new InvalidRequestError('The request path must be a string.');
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(path) || /^[\\/]{2}/.test(path);
    try {
      return absolute
        ? new URL(path, this.#auth.apiUrl)
        : new URL(`${this.#auth.apiUrl}/${path.replace(/^\/+/, '')}`);
    } catch {
      throw new InvalidRequestError('The request path is not a valid URL or path.');
    }
  }

  #resolve(path: string, query: RequestOptions['query']): URL {
    const url = this.#parse(path);
    if (url.origin !== this.#origin) throw new ForeignOriginError(url.origin, this.#origin);

    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }
}

/**
 * The headers of one request as a plain record (cheaper for fetch than a `Headers` object), with
 * lower-cased names and no prototype, so no header name can reach `Object.prototype`.
 */
function requestHeaders(
  given: Record<string, string> | undefined,
  contentType: string | undefined,
): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  for (const name in given) headers[name.toLowerCase()] = given[name] as string;
  headers['accept'] = 'application/json';
  if (contentType !== undefined) headers['content-type'] ??= contentType;
  return headers;
}

function toData<T>(response: GeckoResponse<T>): T {
  return response.data;
}

function encodeBody(body: unknown): {
  payload: BodyInit | undefined;
  contentType: string | undefined;
} {
  if (body === undefined) return { payload: undefined, contentType: undefined };
  if (typeof body === 'string') return { payload: body, contentType: 'text/plain;charset=UTF-8' };
  if (
    body instanceof FormData ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  ) {
    return { payload: body as BodyInit, contentType: undefined };
  }
  return { payload: JSON.stringify(body), contentType: 'application/json' };
}

/** Checks a client's options, and the same-named options of one request. */
function validateClientOptions(options: GeckoClientOptions | RequestOptions): void {
  const { signal, timeout, retries } = options;
  const { maxResponseBytes, fetch } = options as GeckoClientOptions;
  // `typeof` first: `instanceof AbortSignal` is the slow check, and most signals are functions
  // (lazy per-request signals) or absent.
  if (signal !== undefined && typeof signal !== 'function' && !(signal instanceof AbortSignal)) {
    throw new TypeError('`signal` must be an AbortSignal or a function returning one.');
  }
  if (
    timeout !== undefined &&
    !(Number.isFinite(timeout) && timeout >= 1 && timeout <= MAX_TIMER_MS)
  ) {
    throw new TypeError(`\`timeout\` must be a number of milliseconds from 1 to ${MAX_TIMER_MS}.`);
  }
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 20)) {
    throw new TypeError('`retries` must be an integer from 0 to 20.');
  }
  if (
    maxResponseBytes !== undefined &&
    !(Number.isInteger(maxResponseBytes) && maxResponseBytes > 0)
  ) {
    throw new TypeError('`maxResponseBytes` must be a positive integer.');
  }
  if (fetch !== undefined && typeof fetch !== 'function') {
    throw new TypeError('`fetch` must be a function.');
  }
}

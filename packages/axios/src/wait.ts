import axios from 'axios';
import type { AxiosError, InternalAxiosRequestConfig } from 'axios';

/**
 * Settle like `wait` (a wait for a token), unless the request is cancelled or its `timeout`
 * elapses first: then reject the way axios rejects a cancelled or timed-out request, so `isCancel`
 * and `error.code` checks keep working while a refresh hangs. `wait` itself is left running: the
 * refresh behind it is shared with other requests.
 */
export function withinRequestLimits<T>(
  wait: Promise<T>,
  config: InternalAxiosRequestConfig,
): Promise<T> {
  const { signal, cancelToken, timeout } = config;
  const timed = typeof timeout === 'number' && timeout > 0;
  if (signal === undefined && cancelToken === undefined && !timed) return wait;

  // Once this request stops waiting, the outcome of `wait` is other callers' business.
  wait.catch(ignore);
  if (signal?.aborted === true) return Promise.reject(new axios.CanceledError(undefined, config));
  if (cancelToken?.reason !== undefined) return Promise.reject(cancelToken.reason);

  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => fail(new axios.CanceledError(undefined, config));
    // A cancel token hands over the error a request cancelled through it rejects with.
    const onCancel = (reason: unknown): void => fail(reason);
    const timer = timed ? setTimeout(() => fail(timeoutError(config)), timeout) : undefined;

    // Whichever comes first settles; the listeners and the timer go at once, not when a hung
    // refresh finally gives up.
    const stop = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener?.('abort', onAbort);
      cancelToken?.unsubscribe(onCancel);
    };
    const fail = (reason: unknown): void => {
      stop();
      reject(reason);
    };
    wait.then((value) => {
      stop();
      resolve(value);
    }, fail);

    signal?.addEventListener?.('abort', onAbort);
    cancelToken?.subscribe(onCancel);
  });
}

/**
 * The error axios rejects with when `timeout` elapses: code `ECONNABORTED` from the http (and xhr)
 * adapter unless `transitional.clarifyTimeoutError` asks for `ETIMEDOUT`, which the fetch adapter
 * always reports.
 */
function timeoutError(config: InternalAxiosRequestConfig): AxiosError {
  const message = config.timeoutErrorMessage ?? `timeout of ${config.timeout}ms exceeded`;
  const { adapter } = config;
  const first: unknown = Array.isArray(adapter) ? adapter[0] : adapter;
  const clarified = config.transitional?.clarifyTimeoutError === true || first === 'fetch';
  const code = clarified ? axios.AxiosError.ETIMEDOUT : axios.AxiosError.ECONNABORTED;
  return new axios.AxiosError(message, code, config);
}

function ignore(): void {}

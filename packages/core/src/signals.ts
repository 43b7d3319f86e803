/** AbortSignal helpers that work on every runtime with Web APIs. */

/** A request's own abort signal: see {@link requestSignal}. */
export interface RequestSignal {
  signal: AbortSignal;
  /** Whether it aborted because the timeout passed (rather than a linked signal). */
  readonly timedOut: boolean;
  /** Clear the timer and the listeners on the linked signals. Call once the request settles. */
  dispose(): void;
}

/**
 * One AbortController for one request, aborted when `timeoutMs` passes or any linked signal
 * aborts. Cheaper than `AbortSignal.timeout` + `AbortSignal.any` (whose timer lives on for the
 * whole timeout, on Node 20), and it leaves nothing behind on the linked signals.
 */
export function requestSignal(
  timeoutMs: number,
  linked: readonly (AbortSignal | undefined)[],
): RequestSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`Timed out after ${timeoutMs} ms.`, 'TimeoutError'));
  }, timeoutMs);
  const onAbort = function (this: AbortSignal): void {
    controller.abort(this.reason);
  };
  for (const signal of linked) {
    if (signal === undefined) continue;
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      for (const signal of linked) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Settle like `promise`, but reject with the signal's reason as soon as it aborts, even if
 * `promise` never settles (a hung endpoint, a custom fetch or store that ignores the signal).
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);

  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

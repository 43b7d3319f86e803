import type { Fault } from './types.js';

/**
 * Which server a fault is queued for: `'refresh'` (requests to `/tokens/refresh`) or `'api'`.
 *
 * @example
 * ```ts
 * const target: FaultTarget = 'refresh';
 * emulator.fault(target, { status: 500 });
 * ```
 */
export type FaultTarget = 'refresh' | 'api';

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** A FIFO of faults: the head applies to the next `times` requests, then the next one takes over. */
export class FaultQueue {
  readonly #entries: QueuedFault[] = [];

  push(fault: Fault): void {
    this.#entries.push({ fault, remaining: fault.times ?? 1 });
  }

  /** The fault for the request that just arrived, if any, counting it against `times`. */
  take(): Fault | undefined {
    const head = this.#entries[0];
    if (head === undefined) return undefined;

    head.remaining -= 1;
    if (head.remaining <= 0) this.#entries.shift();
    return head.fault;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

/** Throws a `TypeError` naming the first bad option of `fault`; returns a frozen copy. */
export function validateFault(target: FaultTarget, fault: Fault): Fault {
  if (target !== 'refresh' && target !== 'api') {
    throw new TypeError(`fault(target) must be 'refresh' or 'api', got ${String(target)}`);
  }
  if (typeof fault !== 'object' || fault === null) {
    throw new TypeError('fault(target, fault) expects a fault object');
  }

  const { times, status, delayMs, redirectTo, headers } = fault;
  if (times !== undefined && !(times === Infinity || (Number.isInteger(times) && times > 0))) {
    throw new TypeError('fault.times must be a positive integer or Infinity');
  }
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new TypeError('fault.status must be an integer HTTP status from 200 to 599');
  }
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new TypeError('fault.delayMs must be a finite number of milliseconds >= 0');
  }
  if (redirectTo !== undefined && !URL.canParse(redirectTo)) {
    throw new TypeError('fault.redirectTo must be an absolute URL');
  }
  if (headers !== undefined && Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new TypeError('fault.headers values must be strings');
  }
  if (fault.tokens !== undefined && target !== 'refresh') {
    throw new TypeError("fault.tokens only applies to the 'refresh' target");
  }

  checkSingleOutcome(fault);
  return Object.freeze({ ...fault, headers: headers && { ...headers } });
}

// Combining outcomes (say, hang and reset) has no sensible meaning, so it is refused up front.
function checkSingleOutcome(fault: Fault): void {
  const outcomes = [
    fault.hang === true && 'hang',
    fault.reset === true && 'reset',
    fault.redirectTo !== undefined && 'redirectTo',
    (fault.status !== undefined || fault.body !== undefined) && 'status/body',
    fault.tokens !== undefined && 'tokens',
  ].filter((name) => name !== false);

  if (outcomes.length > 1) {
    throw new TypeError(`fault options ${outcomes.join(' and ')} cannot be combined`);
  }
  if (fault.hang === true && fault.delayMs !== undefined) {
    throw new TypeError('fault options hang and delayMs cannot be combined');
  }
}

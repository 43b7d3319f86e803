import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendText } from './http.js';
import type { Fault, TokenTriple } from './types.js';

/** What a server supplies so a fault can answer in that server's own style. */
export interface FaultContext {
  /** Aborted by `close()`, so delayed answers do not outlive the emulator. */
  signal: AbortSignal;
  /** The server's JSON error body for a status. */
  errorBody(status: number): unknown;
  /** Refresh only: answers 200 with the given tokens. */
  answerTokens?(tokens: Partial<TokenTriple>): void;
}

/**
 * Acts out `fault` on `res`. Returns `true` when the request is dealt with (answered, reset or
 * left hanging), `false` when the server should go on and answer normally.
 */
export async function applyFault(
  fault: Fault,
  res: ServerResponse,
  context: FaultContext,
): Promise<boolean> {
  // Nothing is sent and nothing is awaited: the socket stays open until the client or close()
  // ends it, which is what a stalled upstream looks like.
  if (fault.hang === true) return true;

  if (fault.delayMs !== undefined && fault.delayMs > 0) {
    try {
      await sleep(fault.delayMs, undefined, { signal: context.signal });
    } catch {
      return true;
    }
  }
  if (res.destroyed) return true;

  for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
  if (fault.reset === true) {
    res.socket?.resetAndDestroy();
    return true;
  }
  if (fault.redirectTo !== undefined) {
    res.setHeader('location', fault.redirectTo);
    sendText(res, 302, '', 'text/plain');
    return true;
  }
  if (fault.status !== undefined || fault.body !== undefined) {
    const status = fault.status ?? 200;
    const body = fault.body ?? JSON.stringify(context.errorBody(status));
    sendText(res, status, body, fault.contentType ?? 'application/json');
    return true;
  }
  if (fault.tokens !== undefined && context.answerTokens !== undefined) {
    context.answerTokens(fault.tokens);
    return true;
  }
  return false;
}

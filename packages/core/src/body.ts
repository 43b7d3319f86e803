/** Reading response bodies without trusting their size or their content type. */

/** Refresh responses are three JWTs; anything far larger is not a refresh response. */
export const MAX_REFRESH_BODY_BYTES = 256 * 1024;

/**
 * Read at most `limit` bytes of a body as text. Returns `truncated: true` (and cancels the rest of
 * the stream) when the body is larger, so a hostile or broken server cannot exhaust memory.
 */
export async function readTextLimited(
  response: Response,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };

  // A declared length within the limit: let the runtime read the body its own (faster) way.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (
    Number.isInteger(declared) &&
    declared <= limit &&
    response.headers.get('content-encoding') === null
  ) {
    const text = await response.text();
    if (text.length <= limit) return { text, truncated: false };
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;

    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      return { text, truncated: true };
    }
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), truncated: false };
}

/** Parse JSON, or return `undefined` for anything that is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

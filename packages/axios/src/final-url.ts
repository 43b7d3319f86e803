// Where a response really came from. axios reports the URL it was asked for; after redirects the
// answer may come from elsewhere, and a 401 from another origin says nothing about our token.

type Fetch = (input: URL | Request | string, init?: RequestInit) => Promise<Response>;

/** Final URLs of fetch responses, by the `Request` that axios's fetch adapter sent. */
const fetchedFrom = new WeakMap<object, string>();
/** One recorder per wrapped fetch: axios's fetch adapter caches its setup per fetch function. */
const recorders = new WeakMap<Fetch, Fetch>();
const ownRecorders = new WeakSet<Fetch>();
// Looks the global fetch up per call, as axios does, so a fetch patched later is still used.
const globalRecorder = record((input, init) => fetch(input, init));

/**
 * A fetch for `config.env.fetch` that calls `inner` (the global fetch when absent) and records the
 * final URL of each response: axios's fetch adapter keeps the `Request` it sent as
 * `response.request`, but not the fetch `Response`, whose `url` is the only record of redirects.
 */
export function recordingFetch(inner: Fetch | undefined): Fetch {
  if (inner === undefined) return globalRecorder;
  // A settled config that is sent again already carries a recorder.
  if (ownRecorders.has(inner)) return inner;

  let recorder = recorders.get(inner);
  if (recorder === undefined) {
    recorder = record(inner);
    recorders.set(inner, recorder);
  }
  return recorder;
}

function record(call: Fetch): Fetch {
  const recorder: Fetch = async (input, init) => {
    const response = await call(input, init);
    if (typeof input === 'object' && response.url !== '') fetchedFrom.set(input, response.url);
    return response;
  };
  ownRecorders.add(recorder);
  return recorder;
}

/**
 * The URL `request` (axios's `response.request` or `error.request`) finally went to, when the
 * adapter left a trace of it; `undefined` when it did not. With `maxRedirects: 0` axios uses
 * Node's http directly, which leaves none, but then no redirect was followed either: the URL asked
 * for is the final one.
 */
export function finalUrl(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;

  return (
    fetchedFrom.get(request) ??
    // http adapter, response: the last hop's ClientRequest; follow-redirects stamps its response.
    stringAt(request, 'res', 'responseUrl') ??
    stringAt(request, '_redirectable', '_currentUrl') ??
    // http adapter, no response (timeout, reset): follow-redirects' own request object.
    stringAt(request, '_currentUrl')
  );
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return typeof current === 'string' ? current : undefined;
}

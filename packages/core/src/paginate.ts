import { UnexpectedResponseError } from './errors.js';
import type { Query, RequestOptions } from './client.js';

/** Options of `client.paginate()`. */
export interface PaginateOptions extends Omit<RequestOptions, 'body'> {
  /** Items per page (`per_page`). Default 100. */
  perPage?: number;
  /** First page number. Default 1. */
  startPage?: number;
  /** Key of the list in each page body. Default: `data`, then the path's last segment. */
  itemsKey?: string;
  /** Stop after this many pages even if the server says there are more. Default: no limit. */
  maxPages?: number;
}

const DEFAULT_PER_PAGE = 100;

/** Walk `page` / `per_page` pages, yielding each page's items. */
export async function* paginate<T>(
  fetchPage: (query: Query) => Promise<unknown>,
  path: string,
  options: PaginateOptions = {},
): AsyncGenerator<T[], void, undefined> {
  const perPage = options.perPage ?? DEFAULT_PER_PAGE;
  if (!Number.isInteger(perPage) || perPage < 1) {
    throw new TypeError('`perPage` must be a positive integer.');
  }
  let previous: string | undefined;
  const lastPage = (options.startPage ?? 1) + (options.maxPages ?? Number.POSITIVE_INFINITY) - 1;
  const resource = path.split('?')[0]?.split('/').filter(Boolean).pop();

  for (let page = options.startPage ?? 1; page <= lastPage; page++) {
    const body = await fetchPage({ ...options.query, page, per_page: perPage });
    const items = extractItems<T>(body, options.itemsKey, resource);
    if (items === undefined) {
      throw new UnexpectedResponseError('GET', path, `page ${page} holds no list of items`);
    }
    // A server that ignores `page` answers the same page for ever; stop rather than loop.
    const fingerprint = JSON.stringify(items);
    if (items.length > 0 && fingerprint === previous) {
      throw new UnexpectedResponseError('GET', path, `page ${page} repeats page ${page - 1}`);
    }
    previous = fingerprint;
    if (items.length > 0) yield items;
    if (isLastPage(body, items.length, page, perPage)) return;
  }
}

function extractItems<T>(
  body: unknown,
  key: string | undefined,
  resource: string | undefined,
): T[] | undefined {
  if (Array.isArray(body)) return body as T[];
  if (typeof body !== 'object' || body === null) return undefined;

  const record = body as Record<string, unknown>;
  for (const candidate of key === undefined ? ['data', resource] : [key]) {
    if (candidate === undefined || !Object.hasOwn(record, candidate)) continue;

    const value = record[candidate];
    if (Array.isArray(value)) return value as T[];
  }
  return undefined;
}

/** A short or empty page ends the walk, and so does metadata that says this page was the last. */
function isLastPage(body: unknown, count: number, page: number, perPage: number): boolean {
  if (count === 0 || count < perPage) return true;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;

  const meta = body as Record<string, unknown>;
  const read = (key: string): unknown => (Object.hasOwn(meta, key) ? meta[key] : undefined);
  if (read('has_more') === false || read('hasMore') === false) return true;
  if (Object.hasOwn(meta, 'next_page') && read('next_page') === null) return true;

  for (const key of ['last_page', 'total_pages', 'page_count', 'pages']) {
    const value = read(key);
    if (typeof value === 'number' && page >= value) return true;
  }
  const total = read('total');
  return typeof total === 'number' && page * perPage >= total;
}

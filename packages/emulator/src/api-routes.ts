import type { ServerResponse } from 'node:http';
import { parseFormInput, type FormStore } from './forms.js';
import { sendJson } from './http.js';

/** Page size used when a request gives no `per_page`, matching GeckoForm's documented example. */
const DEFAULT_PER_PAGE = 15;
const MAX_PER_PAGE = 100;
const FORM_PATH = /^\/forms\/([1-9]\d{0,9})$/;

/** One authenticated API request, body already read. */
export interface ApiRequest {
  method: string;
  url: URL;
  body: string;
  now: number;
}

/** Answers the forms routes; anything else is 404 or 405 in the API's JSON error style. */
export function routeApi(request: ApiRequest, res: ServerResponse, forms: FormStore): void {
  const { method, url } = request;
  if (url.pathname === '/forms') {
    if (method === 'GET') return listForms(url.searchParams, res, forms);
    if (method === 'POST') return writeForm(request, res, forms, undefined);
    return notAllowed(res, 'GET, POST');
  }

  const match = FORM_PATH.exec(url.pathname);
  if (match?.[1] === undefined) {
    return apiError(res, 404, 'not_found', `No route for ${method} ${url.pathname}.`);
  }

  const id = Number(match[1]);
  if (method === 'GET') {
    const form = forms.get(id);
    return form ? sendJson(res, 200, form) : formNotFound(res, id);
  }
  if (method === 'PUT' || method === 'PATCH') return writeForm(request, res, forms, id);
  if (method === 'DELETE') {
    return forms.delete(id) ? sendJson(res, 204, undefined) : formNotFound(res, id);
  }
  return notAllowed(res, 'GET, PUT, PATCH, DELETE');
}

/** Sends `{ error, message }`, the API server's error shape. */
export function apiError(res: ServerResponse, status: number, error: string, message: string) {
  sendJson(res, status, { error, message });
}

function listForms(query: URLSearchParams, res: ServerResponse, forms: FormStore): void {
  const page = readPositiveInt(query, 'page', 1);
  const perPage = readPositiveInt(query, 'per_page', DEFAULT_PER_PAGE);
  if (page === undefined) {
    return apiError(res, 400, 'bad_request', 'The "page" parameter must be an integer >= 1.');
  }
  if (perPage === undefined || perPage > MAX_PER_PAGE) {
    const message = `The "per_page" parameter must be an integer from 1 to ${MAX_PER_PAGE}.`;
    return apiError(res, 400, 'bad_request', message);
  }

  const data = forms.page(page, perPage);
  sendJson(res, 200, { data, page, per_page: perPage, total: forms.size });
}

function writeForm(req: ApiRequest, res: ServerResponse, forms: FormStore, id?: number): void {
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return apiError(res, 400, 'bad_request', 'The request body is not valid JSON.');
  }

  const input = parseFormInput(body, req.method !== 'PATCH');
  if (typeof input === 'string') return apiError(res, 400, 'bad_request', input);

  if (id === undefined) return sendJson(res, 201, forms.create(input, req.now));
  const updated = forms.update(id, input, req.now);
  return updated ? sendJson(res, 200, updated) : formNotFound(res, id);
}

function readPositiveInt(query: URLSearchParams, name: string, fallback: number) {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return undefined;

  const value = Number(raw);
  return value >= 1 ? value : undefined;
}

function formNotFound(res: ServerResponse, id: number): void {
  apiError(res, 404, 'not_found', `Form ${id} does not exist.`);
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  apiError(res, 405, 'method_not_allowed', `Allowed methods: ${allow}.`);
}

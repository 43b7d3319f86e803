/** A fake GeckoForm form, as the emulated API returns it. */
export interface Form {
  id: number;
  name: string;
  status: 'published' | 'draft';
  submissions: number;
  created_at: string;
  updated_at: string;
}

/** The fields a client may set with POST, PUT or PATCH. */
export interface FormInput {
  name?: string;
  status?: Form['status'];
}

const TOPICS = [
  'Open Day Registration',
  'Campus Tour Booking',
  'Course Enquiry',
  'Scholarship Application',
  'Event Feedback',
  'Virtual Fair Sign-up',
  'Accommodation Request',
  'Alumni Update',
];
// A fixed origin keeps the seeded forms identical across runs, whatever the emulated clock says.
const SEED_EPOCH_MS = Date.UTC(2024, 0, 1, 9);
const DAY_MS = 86_400_000;
const MAX_NAME_LENGTH = 200;

/** The seeded forms of one emulator, changed in place by POST, PUT, PATCH and DELETE. */
export class FormStore {
  // Map keeps insertion order and ids only grow, so iteration order is id order.
  readonly #forms = new Map<number, Form>();
  #nextId = 1;

  constructor(count: number) {
    for (let id = 1; id <= count; id += 1) {
      const created = new Date(SEED_EPOCH_MS + (id - 1) * DAY_MS).toISOString();
      const topic = TOPICS[(id - 1) % TOPICS.length] ?? 'Form';
      const status = id % 5 === 0 ? 'draft' : 'published';
      const form: Form = {
        id,
        name: `${topic} ${id}`,
        status,
        submissions: (id * 37) % 500,
        created_at: created,
        updated_at: created,
      };
      this.#forms.set(id, form);
    }
    this.#nextId = count + 1;
  }

  get size(): number {
    return this.#forms.size;
  }

  /** One page, 1-based; a page past the end is empty. */
  page(page: number, perPage: number): Form[] {
    const start = (page - 1) * perPage;
    return [...this.#forms.values()].slice(start, start + perPage);
  }

  get(id: number): Form | undefined {
    return this.#forms.get(id);
  }

  create(input: FormInput, nowMs: number): Form {
    const at = new Date(nowMs).toISOString();
    const form: Form = {
      id: this.#nextId,
      name: input.name ?? 'Untitled form',
      status: input.status ?? 'draft',
      submissions: 0,
      created_at: at,
      updated_at: at,
    };
    this.#nextId += 1;
    this.#forms.set(form.id, form);
    return form;
  }

  update(id: number, input: FormInput, nowMs: number): Form | undefined {
    const form = this.#forms.get(id);
    if (form === undefined) return undefined;

    const updated: Form = { ...form, ...input, updated_at: new Date(nowMs).toISOString() };
    this.#forms.set(id, updated);
    return updated;
  }

  delete(id: number): boolean {
    return this.#forms.delete(id);
  }
}

/** Validates a parsed JSON body; returns the input or a message saying what is wrong. */
export function parseFormInput(body: unknown, requireName: boolean): FormInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The request body must be a JSON object.';
  }

  const { name, status } = body as Record<string, unknown>;
  if (name === undefined && requireName) return 'The field "name" is required.';
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    return 'The field "name" must be a non-empty string.';
  }
  if (typeof name === 'string' && name.length > MAX_NAME_LENGTH) {
    return `The field "name" must be at most ${MAX_NAME_LENGTH} characters.`;
  }
  if (status !== undefined && status !== 'published' && status !== 'draft') {
    return 'The field "status" must be "published" or "draft".';
  }

  const input: FormInput = {};
  if (typeof name === 'string') input.name = name;
  if (status !== undefined) input.status = status;
  return input;
}

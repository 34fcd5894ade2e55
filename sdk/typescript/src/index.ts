// The Gallant SMS TypeScript SDK: the typed client generated from the
// gateway's OpenAPI document (the same one the dashboard uses), with the API
// key attached, and webhook signature verification.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export { verifyWebhook, WebhookSignatureError } from './webhook.js';

/** Schemas are the API's named schemas (Message, Contact, Campaign, ...). */
export type Schemas = components['schemas'];

/** GallantClient is the typed client: GET, POST, PUT, PATCH, DELETE on the API's paths. */
export type GallantClient = Client<paths>;

/** Problem is the API's error answer (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  [extra: string]: unknown;
}

/** GallantError is thrown by {@link must} for an answer that is not 2xx. */
export class GallantError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'GallantError';
    this.problem = problem;
  }
}

export interface ClientOptions {
  /** fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * createGallantClient returns a typed client for the gateway at baseUrl
 * (such as "https://sms.example.com") that sends apiKey as a bearer token.
 *
 * ```ts
 * const gallant = createGallantClient('http://127.0.0.1:8080', process.env.GALLANT_API_KEY!);
 * const msg = must(await gallant.POST('/v1/messages', { body: { to: '+447700900123', text: 'Hello' } }));
 * ```
 */
export function createGallantClient(baseUrl: string, apiKey: string, opts: ClientOptions = {}): GallantClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), fetch: opts.fetch });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/**
 * must returns the data of a successful answer or throws a GallantError
 * carrying the API's problem JSON.
 */
export function must<T>(res: { data?: T; error?: unknown; response: Response }): T {
  if (res.error !== undefined || !res.response.ok) {
    const e = res.error as Partial<Problem> | undefined;
    throw new GallantError({
      type: e?.type ?? 'about:blank',
      title: e?.title ?? res.response.statusText,
      status: e?.status ?? res.response.status,
      ...e,
    } as Problem);
  }
  return res.data as T;
}

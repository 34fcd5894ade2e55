import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { accessToken, refreshSession } from './session';

// The originals of requests, kept so a request refused for an expired token
// can be sent again once with a fresh one.
const originals = new WeakMap<Request, Request>();

const auth: Middleware = {
  async onRequest({ request }) {
    const token = accessToken();
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`);
    }
    originals.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const original = originals.get(request);
    originals.delete(request);
    if (response.status !== 401 || !original || request.url.includes('/v1/auth/')) {
      return response;
    }
    if (!(await refreshSession())) return response;
    const retry = new Request(original);
    retry.headers.set('Authorization', `Bearer ${accessToken()}`);
    return fetch(retry);
  },
};

/**
 * api is the typed client of the gateway's API, generated from its OpenAPI
 * document (`make web-client`). Every page reads and writes through it.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

export type { paths, components } from './schema';

/** Schemas are the API's component schemas by name. */
export type Schemas = import('./schema').components['schemas'];

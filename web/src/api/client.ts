import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** A problem+json body (RFC 9457); some codes add fields, such as `warning` on a last-user 409. */
export type Problem = components['schemas']['Problem'] & { warning?: string; applications?: { key: string; name: string }[] };

/** Thrown by `unwrap` for any answer that is not 2xx; carries the server's problem. */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

// The CSRF token lives in memory only (never localStorage): POST /v1/session returns it, and a
// reload reads it again from GET /v1/session.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let onUnauthorized: () => void = () => undefined;
/** Called when a signed-in call answers 401 (the session expired or was revoked). */
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/session')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/**
 * The body of a 2xx answer, or an ApiProblem.
 * @example const list = await unwrap(api.GET('/v1/organizations/{org}/api-users', { params }));
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (error && typeof error === 'object' ? error : { title: response.statusText, detail: '', status: response.status }) as Problem;
    throw new ApiProblem(response.status, problem);
  }
  return data as T;
}

/** The same, with the ETag the server sent (for If-Match on the next change). */
export async function unwrapWithEtag<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ data: T; etag: string }> {
  const result = await call;
  const data = await unwrap(Promise.resolve(result));
  return { data, etag: result.response.headers.get('etag') ?? '' };
}

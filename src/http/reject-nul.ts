import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { invalidField } from './app-error.js';

const escapeToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * RFC 6901 pointer of the first string (value or key) holding U+0000, or null. The pointer is
 * built only on the way back from a find, so a clean body (every body, nearly) costs no strings.
 */
export function findNul(value: unknown): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? '/' : null;
  const path = nulPath(value);
  return path === null ? null : `/${path.map(escapeToken).join('/')}`;
}

function nulPath(value: unknown): string[] | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000')) return [key];
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'string') {
      if (child.includes('\u0000')) return [key];
    } else if (child !== null && typeof child === 'object') {
      const below = nulPath(child);
      if (below !== null) return [key, ...below];
    }
  }
  return null;
}

/**
 * PostgreSQL text cannot hold U+0000: the driver fails and the request would end in a 500 (SQLite
 * would store it). No field has a use for it, so it is refused on every engine alike, as a 400
 * naming the field. Runs after validation, so a body is only walked when its route declares a
 * schema for it, which bounds its depth. Added only to routes that declare a query string, path
 * parameters or a body: a route without them reads none, and the consumption API's hot path
 * carries no hook for nothing.
 * @example rejectNulCharacters(app); // before the routes are registered
 */
export function rejectNulCharacters(app: FastifyInstance): void {
  // Callback style: a hook on every request should not cost a promise.
  const check: preHandlerHookHandler = (request, _reply, done) => {
    const parts = [['query', request.query], ['params', request.params]] as Array<['query' | 'params' | 'body', unknown]>;
    if (request.routeOptions.schema?.body) parts.push(['body', request.body]);
    for (const [location, value] of parts) {
      const pointer = findNul(value);
      if (pointer !== null) return done(invalidField(location, pointer, 'must not contain the NUL character (U+0000)'));
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema?.querystring && !schema?.params && !schema?.body && !route.url.includes(':') && !route.url.includes('*')) return;
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? [check] : Array.isArray(existing) ? [check, ...existing] : [check, existing];
  });
}

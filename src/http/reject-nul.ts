import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { invalidField } from './app-error.js';

/** RFC 6901 pointer of the first string (value or key) holding U+0000, or null. */
function findNul(value: unknown, pointer = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer || '/' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const here = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const found = key.includes('\u0000') ? here : findNul(child, here);
    if (found !== null) return found;
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

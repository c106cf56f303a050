import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from './app-error.js';
import type { AppDeps } from './deps.js';
import type { Principal } from '../modules/sessions/principal.js';
import { authenticateAccessToken, authenticateSession, checkCsrf } from '../modules/sessions/session.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'apiusers_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CHALLENGE = 'Bearer realm="apiusers"';

/**
 * Resolves the administrator behind a request: `Authorization: Bearer <personal access token>`,
 * else the session cookie. A cookie-authenticated change must carry the session's CSRF token in
 * X-CSRF-Token (a bearer token cannot be sent by another site, so it needs none). A cached
 * personal access token is resolved without a promise.
 */
function resolvePrincipal(deps: AppDeps, request: FastifyRequest): Principal | Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) {
      throw appError('auth.unauthenticated', 'The Authorization header must be "Bearer <personal access token>".', {
        headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_request"` },
      });
    }
    const principal = authenticateAccessToken(deps, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, match[1]!);
    return principal instanceof Promise ? principal.then(tokenPrincipal) : tokenPrincipal(principal);
  }
  return resolveSession(deps, request);
}

function tokenPrincipal(principal: Principal | null): Principal {
  if (!principal) {
    throw appError('auth.unauthenticated', 'The access token is unknown, revoked or expired.', {
      headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
    });
  }
  return principal;
}

async function resolveSession(deps: AppDeps, request: FastifyRequest): Promise<Principal> {
  const token = request.cookies[SESSION_COOKIE];
  const principal = token ? await authenticateSession(deps, token) : null;
  if (!principal) {
    throw appError('auth.unauthenticated', token ? 'Your session has expired; sign in again.' : 'Sign in (POST /v1/session) or send a personal access token.', {
      headers: { 'www-authenticate': CHALLENGE },
    });
  }
  if (!SAFE_METHODS.has(request.method) && !checkCsrf(deps.secretKey, principal.sessionId!, request.headers[CSRF_HEADER] as string | undefined)) {
    throw appError('auth.csrf_failed', `Changes made with a session cookie must send the session's CSRF token in ${CSRF_HEADER} (returned by POST /v1/session and GET /v1/session).`);
  }
  return principal;
}

/** Adds the authentication hook to every route registered in this plugin scope. */
export function requireAdministrator(app: FastifyInstance, deps: AppDeps): void {
  // Callback style: a cached token costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    let resolved: Principal | Promise<Principal>;
    try {
      resolved = resolvePrincipal(deps, request);
    } catch (error) {
      return done(error as Error);
    }
    if (resolved instanceof Promise) {
      resolved.then((principal) => {
        request.principal = principal;
        done();
      }, done);
      return;
    }
    request.principal = resolved;
    done();
  });
}

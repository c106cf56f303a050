import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../../http/deps.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { grants } from '../roles/privileges.js';
import { authenticateAccessToken } from '../sessions/session.service.js';
import { authenticateClient } from './client-authentication.js';
import { readClientCredentials } from './client-credentials.js';
import type { FormBody } from './form-body.js';
import { introspectAccessToken, type IntrospectionCaller } from './introspection.service.js';
import type { OAuthState } from './oauth-state.js';
import { InsufficientScope, InvalidRequest, InvalidToken } from './oauth-errors.js';
import { IntrospectionResponseSchema, oauthErrors, TokenParamBody } from './oauth.schemas.js';
import { oauthUrls } from './oauth-urls.js';

/**
 * RFC 7662 §2.1: the caller must be authorized. Either an administrator's personal access token
 * whose role grants `verify` (RFC 6750 errors), or the token's own client (RFC 6749 errors).
 */
async function callerOf(deps: AppDeps, verifier: CredentialVerifier, state: OAuthState, request: FastifyRequest, body: FormBody): Promise<IntrospectionCaller> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer) {
    const principal = await authenticateAccessToken(deps, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, bearer[1]!);
    if (!principal) throw new InvalidToken('The personal access token is unknown, revoked or expired.');
    if (!grants(principal.privileges, 'verify')) throw new InsufficientScope(`Introspection needs the verify privilege; the role ${principal.roleName} does not have it.`);
    return { kind: 'administrator', organizationId: principal.organizationId };
  }
  const client = await authenticateClient({ deps, verifier, jwtIds: state.jwtIds, ip: request.ip }, readClientCredentials(request.headers.authorization, body), null, oauthUrls(deps.config).assertionAudiences);
  return { kind: 'client', username: client.username };
}

/** POST /oauth/introspect (RFC 7662). @example await app.register(introspectionRoutes(deps, verifier, state)); */
export function introspectionRoutes(deps: AppDeps, verifier: CredentialVerifier, state: OAuthState): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/oauth/introspect', {
      schema: {
        operationId: 'introspectOAuthToken', tags: ['OAuth'], summary: 'Introspect an access token',
        description: 'RFC 7662. Callers: the token\'s own client (client_secret_basic, client_secret_post or private_key_jwt, as at /oauth/token), or a service holding an administrator\'s personal access token (Authorization: Bearer au_pat_…) whose role grants `verify`; it sees tokens of its own organization only. The answer is `{active: false}` for anything not valid at this moment — unknown, expired, revoked, its API user disabled or deleted, or its application unassigned — checked against the database on every call.',
        consumes: ['application/x-www-form-urlencoded'],
        security: [{ apiUserBasic: [] }, { accessToken: [] }, {}],
        body: TokenParamBody,
        response: { 200: IntrospectionResponseSchema, ...oauthErrors(400, 401, 403, 429) },
      },
    }, async (request, reply) => {
      const body = (request.body ?? {}) as FormBody;
      const caller = await callerOf(deps, verifier, state, request, body);
      if (body.token === undefined) throw new InvalidRequest('token is required (RFC 7662 §2.1).');
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return introspectAccessToken(deps, state, body.token, caller);
    });
  };
}

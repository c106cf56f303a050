import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/deps.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { authenticateClient } from './client-authentication.js';
import { readClientCredentials } from './client-credentials.js';
import { grantClientCredentials } from './client-credentials-grant.js';
import type { FormBody } from './form-body.js';
import type { OAuthState } from './oauth-state.js';
import { InvalidRequest, UnsupportedGrantType } from './oauth-errors.js';
import { CLIENT_SECURITY, oauthErrors, TokenRequestBody, TokenResponseSchema } from './oauth.schemas.js';
import { oauthUrls } from './oauth-urls.js';
import { requestedApplication } from './scopes.js';

/** POST /oauth/token: the client credentials grant (RFC 6749 §4.4). @example await app.register(tokenRoutes(deps, verifier, state)); */
export function tokenRoutes(deps: AppDeps, verifier: CredentialVerifier, state: OAuthState): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/oauth/token', {
      schema: {
        operationId: 'createOAuthToken', tags: ['OAuth'], summary: 'Get an access token (client credentials)',
        description: 'RFC 6749 §4.4 client credentials grant, form-encoded. The client id is the API user\'s username; it authenticates with HTTP Basic (client_secret_basic: client id and secret form-urlencoded, then base64, RFC 6749 §2.3.1 — the raw form is accepted too), with client_id and client_secret in the body (client_secret_post), or with a JWT signed by a key registered on the API user (private_key_jwt, RFC 7523). The secret is the API user\'s password or one of its API keys. `resource` (RFC 8707) or `audience` names the external application the token is for (default httpapi); it must be assigned to the API user. The answer is an RFC 9068 JWT valid for ACCESS_TOKEN_MINUTES, sent with Cache-Control: no-store. Errors are RFC 6749 §5.2 JSON, not problem+json.',
        consumes: ['application/x-www-form-urlencoded'],
        security: CLIENT_SECURITY,
        body: TokenRequestBody,
        response: { 200: TokenResponseSchema, ...oauthErrors(400, 401, 429) },
      },
    }, async (request, reply) => {
      const body = (request.body ?? {}) as FormBody;
      if (body.grant_type === undefined) throw new InvalidRequest('grant_type is required; use client_credentials.');
      if (body.grant_type !== 'client_credentials') throw new UnsupportedGrantType(`grant_type ${body.grant_type} is not supported; use client_credentials.`);
      const application = requestedApplication(body);
      const credentials = readClientCredentials(request.headers.authorization, body);
      const client = await authenticateClient({ deps, verifier, jwtIds: state.jwtIds, ip: request.ip }, credentials, application, oauthUrls(deps.config).assertionAudiences);
      const token = await grantClientCredentials(deps, state, client, application, body.scope);
      // RFC 6749 §5.1: responses carrying tokens must not be stored.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return token;
    });
  };
}

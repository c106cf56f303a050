import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { authenticateClient } from './client-authentication.js';
import { readClientCredentials } from './client-credentials.js';
import type { FormBody } from './form-body.js';
import type { OAuthState } from './oauth-state.js';
import { InvalidRequest } from './oauth-errors.js';
import { CLIENT_SECURITY, oauthErrors, TokenParamBody } from './oauth.schemas.js';
import { oauthUrls } from './oauth-urls.js';
import { revokeAccessToken } from './revocation.service.js';

/** POST /oauth/revoke (RFC 7009). @example await app.register(revocationRoutes(deps, verifier, state)); */
export function revocationRoutes(deps: AppDeps, verifier: CredentialVerifier, state: OAuthState): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/oauth/revoke', {
      schema: {
        operationId: 'revokeOAuthToken', tags: ['OAuth'], summary: 'Revoke an access token',
        description: 'RFC 7009. The client authenticates as at /oauth/token and names one of its own access tokens in `token`; from then on the consumption API answers 401 credential.revoked and introspection `active: false`. Unknown, invalid or expired tokens also answer 200 (RFC 7009 §2.2); a token of another client answers 400 invalid_request.',
        consumes: ['application/x-www-form-urlencoded'],
        security: CLIENT_SECURITY,
        body: TokenParamBody,
        response: { 200: Type.Object({}, { description: 'Revoked, or nothing to revoke.' }), ...oauthErrors(400, 401, 429) },
      },
    }, async (request) => {
      const body = (request.body ?? {}) as FormBody;
      const client = await authenticateClient({ deps, verifier, jwtIds: state.jwtIds, ip: request.ip }, readClientCredentials(request.headers.authorization, body), null, oauthUrls(deps.config).assertionAudiences);
      if (body.token === undefined) throw new InvalidRequest('token is required (RFC 7009 §2.1).');
      await revokeAccessToken(deps, state, client, body.token);
      return {};
    });
  };
}

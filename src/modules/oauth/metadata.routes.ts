import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { BUILT_IN_APPLICATIONS } from '../applications/application.repository.js';
import { ASSERTION_ALGORITHMS } from './client-assertion.js';
import { CLIENT_AUTH_METHODS } from './client-credentials.js';
import { oauthErrors } from './oauth.schemas.js';
import { oauthUrls } from './oauth-urls.js';
import { ACCOUNT_READ_SCOPE, applicationScope } from './scopes.js';

const Urls = Type.String({ format: 'uri' });
const Strings = Type.Array(Type.String());

const MetadataSchema = Type.Object({
  issuer: Urls,
  token_endpoint: Urls,
  jwks_uri: Urls,
  introspection_endpoint: Urls,
  revocation_endpoint: Urls,
  service_documentation: Urls,
  grant_types_supported: Strings,
  response_types_supported: Strings,
  scopes_supported: Strings,
  token_endpoint_auth_methods_supported: Strings,
  token_endpoint_auth_signing_alg_values_supported: Strings,
  introspection_endpoint_auth_methods_supported: Strings,
  revocation_endpoint_auth_methods_supported: Strings,
}, { description: 'RFC 8414 §2 authorization server metadata.' });

/** GET /.well-known/oauth-authorization-server (RFC 8414 §3). @example await app.register(metadataRoutes(deps)); */
export function metadataRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const urls = oauthUrls(deps.config);
    const metadata = {
      issuer: urls.issuer,
      token_endpoint: urls.tokenEndpoint,
      jwks_uri: urls.jwksUri,
      introspection_endpoint: urls.introspectionEndpoint,
      revocation_endpoint: urls.revocationEndpoint,
      service_documentation: `${urls.issuer}/docs`,
      grant_types_supported: ['client_credentials'],
      // RFC 8414 §2 requires the member; there is no authorization endpoint, so no response type.
      response_types_supported: [],
      // Custom applications add app:<their key>; servers need not list every scope (RFC 8414 §2).
      scopes_supported: [...BUILT_IN_APPLICATIONS.map((a) => applicationScope(a.key)), ACCOUNT_READ_SCOPE],
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    };
    app.get('/.well-known/oauth-authorization-server', {
      schema: {
        operationId: 'getOAuthMetadata', tags: ['OAuth'], summary: 'Authorization server metadata',
        description: 'RFC 8414: where the token, introspection, revocation and JWKS endpoints are and what they support, so OAuth libraries (openid-client `discovery()`, Spring, MSAL…) configure themselves from the issuer URL (PUBLIC_URL).',
        security: [],
        response: { 200: MetadataSchema, ...oauthErrors(400) },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return metadata;
    });
  };
}

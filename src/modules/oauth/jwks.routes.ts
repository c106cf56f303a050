import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OAuthState } from './oauth-state.js';
import { oauthErrors } from './oauth.schemas.js';

const JwkSchema = Type.Object({
  kty: Type.String({ examples: ['EC'] }),
  kid: Type.String({ description: 'RFC 7638 thumbprint of the key; access tokens name it in their header.' }),
  alg: Type.String({ examples: ['ES256'] }),
  use: Type.String({ examples: ['sig'] }),
  crv: Type.String({ examples: ['P-256'] }),
  x: Type.String(),
  y: Type.String(),
});

/** GET /.well-known/jwks.json (RFC 7517 §5). @example await app.register(jwksRoutes(state)); */
export function jwksRoutes(state: OAuthState): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/.well-known/jwks.json', {
      schema: {
        operationId: 'getJwks', tags: ['OAuth'], summary: 'Public keys that sign access tokens',
        description: 'The JWK Set to verify access tokens offline: the active ES256 key, plus retired keys until every token they signed has expired (then they leave the set and their tokens are refused). Cacheable for 5 minutes; a verifier that meets an unknown kid should fetch it again.',
        security: [],
        response: {
          200: Type.Object({ keys: Type.Array(JwkSchema) }, { description: 'RFC 7517 §5 JWK Set.' }),
          ...oauthErrors(400),
        },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return state.keys.publishedJwks();
    });
  };
}

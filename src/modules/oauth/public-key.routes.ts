import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, problems, Timestamp } from '../../http/schemas.js';
import type { PublicKey } from './public-key.repository.js';
import { addPublicKeys, listPublicKeys, MAX_PUBLIC_KEYS, removePublicKey, type PublicKeyUpload } from './public-key.service.js';

const UserParams = Type.Object({ org: Id, id: Id });
const KeyParams = Type.Object({ org: Id, id: Id, key: Id });

const EXAMPLE_JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'magento-2026', alg: 'ES256' };

const PublicJwk = Type.Object({
  kty: Type.String({ examples: ['EC'] }),
  crv: Type.Optional(Type.String({ examples: ['P-256'] })),
  x: Type.Optional(Type.String()),
  y: Type.Optional(Type.String()),
  n: Type.Optional(Type.String()),
  e: Type.Optional(Type.String()),
  kid: Type.Optional(Type.String()),
  alg: Type.Optional(Type.String({ examples: ['ES256'] })),
  use: Type.Optional(Type.String({ examples: ['sig'] })),
}, { description: 'The public key as a JWK (RFC 7517): public members only.' });

/** An uploaded JWK: any registered member is accepted here and checked by the service. */
const JwkInput = Type.Object({
  kty: Type.String({ minLength: 1, description: 'EC (P-256, P-384, P-521), RSA (2048 bits or more) or OKP (Ed25519).' }),
  kid: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The kid the integration puts in its assertions\' header; default: the RFC 7638 thumbprint.' })),
  alg: Type.Optional(Type.String({ description: 'ES256, ES384, ES512, PS256, RS256 or EdDSA.' })),
}, { additionalProperties: true });

const Name = Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'What the key is for; default: its kid.' }));

const UploadBody = Type.Union([
  Type.Object({ name: Name, keys: Type.Array(JwkInput, { minItems: 1, maxItems: MAX_PUBLIC_KEYS, description: 'A JWK Set (RFC 7517 §5).' }) }, { additionalProperties: false, title: 'JWK Set' }),
  Type.Object({
    name: Name,
    pem: Type.String({ minLength: 1, maxLength: 10_000, description: 'A PEM SPKI public key ("-----BEGIN PUBLIC KEY-----"), e.g. from `openssl pkey -pubout`.' }),
    kid: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The kid the integration will send; default: the thumbprint.' })),
  }, { additionalProperties: false, title: 'PEM public key' }),
  Type.Object({ ...JwkInput.properties, name: Name }, { additionalProperties: true, title: 'One JWK' }),
], { examples: [{ name: 'magento production', keys: [EXAMPLE_JWK] }] });

const PublicKeySchema = Type.Object({
  id: Id,
  name: Type.String({ examples: ['magento production'] }),
  key_id: Type.String({ description: 'The kid a client assertion must name (or the thumbprint when the key had no kid).', examples: ['magento-2026'] }),
  thumbprint: Type.String({ description: 'RFC 7638 SHA-256 thumbprint.', examples: ['NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'] }),
  hint: Type.String({ description: 'The start of the thumbprint.', examples: ['NzbLsXh8…'] }),
  jwk: PublicJwk,
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'Last client assertion verified with this key.' }),
  created_by: Type.Union([Id, Type.Null()]),
  created_at: Timestamp,
});

async function presentPublicKey(k: PublicKey) {
  return {
    id: k.id, name: k.name, key_id: k.keyId, thumbprint: await calculateJwkThumbprint(k.jwk), hint: k.hint, jwk: k.jwk as JWK & { kty: string },
    last_used_at: k.lastUsedAt, created_by: k.createdBy, created_at: k.createdAt,
  };
}

/** Public keys of API users, for OAuth private_key_jwt client authentication (RFC 7523). @example await secured.register(publicKeyRoutes(deps)); */
export function publicKeyRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/api-users/:id/public-keys', {
      schema: {
        operationId: 'listApiUserPublicKeys', tags: ['OAuth'], summary: "List an API user's public keys",
        description: 'The keys the API user may sign private_key_jwt client assertions with at POST /oauth/token. Needs `api-users:read`.',
        params: UserParams,
        response: { 200: Type.Object({ data: Type.Array(PublicKeySchema) }), ...problems(401, 403, 404) },
      },
    }, async (request) => ({ data: await Promise.all((await listPublicKeys(deps, contextOf(request), request.params.org, request.params.id)).map(presentPublicKey)) }));

    app.post('/v1/organizations/:org/api-users/:id/public-keys', {
      schema: {
        operationId: 'addApiUserPublicKeys', tags: ['OAuth'], summary: 'Register public keys for private_key_jwt',
        description: `Upload a JWK Set (\`{keys: […]}\`), a single JWK, or a PEM SPKI public key (\`{pem: "-----BEGIN PUBLIC KEY-----…"}\`). The integration then authenticates at POST /oauth/token with a JWT it signs with the private key (RFC 7523: iss = sub = the API user's username, aud = the token endpoint, exp at most 5 minutes ahead, a unique jti). Private keys (a JWK with \`d\`, a PEM PRIVATE KEY) are refused with 400: the private key never leaves the integration. EC P-256/P-384/P-521, RSA (2048 bits or more) and Ed25519; at most ${MAX_PUBLIC_KEYS} keys per API user. Needs \`api-users:manage\`.`,
        params: UserParams,
        body: UploadBody,
        response: { 201: Type.Object({ data: Type.Array(PublicKeySchema, { description: 'The keys added.' }) }), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      const added = await addPublicKeys(deps, contextOf(request), request.params.org, request.params.id, request.body as PublicKeyUpload);
      reply.code(201);
      return { data: await Promise.all(added.map(presentPublicKey)) };
    });

    app.delete('/v1/organizations/:org/api-users/:id/public-keys/:key', {
      schema: {
        operationId: 'removeApiUserPublicKey', tags: ['OAuth'], summary: 'Remove a public key',
        description: 'Client assertions signed with this key are refused from the next request; access tokens already issued stay valid until they expire (revoke them at /oauth/revoke). Needs `api-users:manage`.',
        params: KeyParams,
        response: { 204: Type.Null({ description: 'Removed.' }), ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      await removePublicKey(deps, contextOf(request), request.params.org, request.params.id, request.params.key);
      return reply.code(204).send(null);
    });
  };
}

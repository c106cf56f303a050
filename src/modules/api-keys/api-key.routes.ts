import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, problems, Timestamp } from '../../http/schemas.js';
import type { ApiKey } from './api-key.repository.js';
import { createApiKey, DEFAULT_ROLL_GRACE_HOURS, listApiKeys, MAX_LIVE_KEYS, revokeApiKey, rollApiKey } from './api-key.service.js';

const UserParams = Type.Object({ org: Id, id: Id });
const KeyParams = Type.Object({ org: Id, id: Id, key: Id });

const ApiKeySchema = Type.Object({
  id: Id,
  name: Type.String({ examples: ['magento production'] }),
  hint: Type.String({ description: 'Prefix and last four characters.', examples: ['au_key_…9xQz'] }),
  status: Type.Union([Type.Literal('active'), Type.Literal('expiring'), Type.Literal('expired'), Type.Literal('revoked')], {
    description: '`expiring`: rolled, valid until expires_at.',
  }),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
  replaced_by: Type.Union([Id, Type.Null()], { description: 'The key that replaced this one when it was rolled.' }),
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'Updated at most once a minute.' }),
  last_used_ip: Type.Union([Type.String(), Type.Null()]),
  last_used_user_agent: Type.Union([Type.String(), Type.Null()]),
  last_used_application: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Id, Type.Null()]),
  created_at: Timestamp,
});

function presentApiKey(k: ApiKey, now: Date) {
  const at = now.toISOString();
  const status = k.revokedAt ? 'revoked' as const : k.expiresAt && k.expiresAt <= at ? 'expired' as const : k.replacedBy ? 'expiring' as const : 'active' as const;
  return {
    id: k.id, name: k.name, hint: k.hint, status, expires_at: k.expiresAt, revoked_at: k.revokedAt, replaced_by: k.replacedBy,
    last_used_at: k.lastUsedAt, last_used_ip: k.lastUsedIp, last_used_user_agent: k.lastUsedUserAgent, last_used_application: k.lastUsedApplication,
    created_by: k.createdBy, created_at: k.createdAt,
  };
}

const NewKeyResponse = Type.Object({
  ...ApiKeySchema.properties,
  key: Type.String({ description: 'The secret. Shown only in this response: store it now.', examples: ['au_key_4fTq8…'] }),
});

export function apiKeyRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/api-users/:id/keys', {
      schema: {
        operationId: 'listApiKeys', tags: ['API keys'], summary: "List an API user's keys",
        description: 'Newest first, with hint, status, expiry and last use (time, IP, user agent, application). Secrets are never shown again. Needs `api-users:read`.',
        params: UserParams,
        response: { 200: Type.Object({ data: Type.Array(ApiKeySchema) }), ...problems(401, 403, 404) },
      },
    }, async (request) => ({ data: (await listApiKeys(deps, contextOf(request), request.params.org, request.params.id)).map((k) => presentApiKey(k, deps.clock.now())) }));

    app.post('/v1/organizations/:org/api-users/:id/keys', {
      schema: {
        operationId: 'createApiKey', tags: ['API keys'], summary: 'Create an API key',
        description: `Returns the key once, as \`au_key_<32 base62><6 base62 CRC32>\`: secret scanners recognise it and the server refuses a mistyped one before any lookup. Integrations send it as \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`, with the same application rule as passwords. At most ${MAX_LIVE_KEYS} live keys per API user. Needs \`api-users:manage\`.`,
        params: UserParams,
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'What the key is for.' }),
          expires_at: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: 'When it stops working; null or omitted: no expiry (unless the organization requires one).' })),
        }, { additionalProperties: false, examples: [{ name: 'magento production', expires_at: '2027-06-30T00:00:00.000Z' }] }),
        response: { 201: NewKeyResponse, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const { key, apiKey } = await createApiKey(deps, contextOf(request), request.params.org, request.params.id, {
        name: request.body.name, expiresAt: request.body.expires_at ? new Date(request.body.expires_at) : null,
      });
      reply.code(201).header('cache-control', 'no-store');
      return { ...presentApiKey(apiKey, deps.clock.now()), key };
    });

    app.post('/v1/organizations/:org/api-users/:id/keys/:key/roll', {
      schema: {
        operationId: 'rollApiKey', tags: ['API keys'], summary: 'Roll an API key (zero-downtime rotation)',
        description: `Creates a new key now and keeps the old one working until \`old_key_valid_until\` (default ${DEFAULT_ROLL_GRACE_HOURS} h, never past its own expiry), so the integration switches over without downtime. Needs \`api-users:manage\`.`,
        params: KeyParams,
        body: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
          expires_at: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: 'Expiry of the new key.' })),
          old_key_valid_until: Type.Optional(Timestamp),
        }, { additionalProperties: false, examples: [{ old_key_valid_until: '2026-11-26T12:00:00.000Z' }] }),
        response: { 201: Type.Object({ ...NewKeyResponse.properties, previous: ApiKeySchema }), ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const { key, apiKey, previous } = await rollApiKey(deps, contextOf(request), request.params.org, request.params.id, request.params.key, {
        name: request.body.name,
        expiresAt: request.body.expires_at ? new Date(request.body.expires_at) : null,
        oldKeyValidUntil: request.body.old_key_valid_until ? new Date(request.body.old_key_valid_until) : undefined,
      });
      reply.code(201).header('cache-control', 'no-store');
      const now = deps.clock.now();
      return { ...presentApiKey(apiKey, now), key, previous: presentApiKey(previous, now) };
    });

    app.delete('/v1/organizations/:org/api-users/:id/keys/:key', {
      schema: {
        operationId: 'revokeApiKey', tags: ['API keys'], summary: 'Revoke an API key',
        description: 'The key is refused on its next use. Needs `api-users:manage`.',
        params: KeyParams,
        response: { 204: Type.Null({ description: 'Revoked.' }), ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      await revokeApiKey(deps, contextOf(request), request.params.org, request.params.id, request.params.key);
      return reply.code(204).send(null);
    });
  };
}

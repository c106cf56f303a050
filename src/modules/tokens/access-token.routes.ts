import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, problems, Timestamp } from '../../http/schemas.js';
import { createAccessToken, listAccessTokens, MAX_ACCESS_TOKEN_DAYS, revokeAccessToken } from './access-token.service.js';
import type { CredentialInfo } from './credential.repository.js';

export const AccessTokenSchema = Type.Object({
  id: Id,
  name: Type.String({ examples: ['ci pipeline'] }),
  hint: Type.String({ description: 'Prefix and last four characters, to recognise the token.', examples: ['au_pat_…x9Qz'] }),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
  last_used_at: Type.Union([Timestamp, Type.Null()]),
  last_used_ip: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
}, { description: 'A personal access token, without its secret.' });

export function presentAccessToken(c: CredentialInfo) {
  return { id: c.id, name: c.name, hint: c.hint, expires_at: c.expiresAt, revoked_at: c.revokedAt, last_used_at: c.lastUsedAt, last_used_ip: c.lastUsedIp, created_at: c.createdAt };
}

export function accessTokenRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/me/tokens', {
      schema: {
        operationId: 'listAccessTokens', tags: ['Access tokens'], summary: 'List your access tokens',
        description: 'Your personal access tokens, newest first, with hint and last use. Secrets are never shown again.',
        response: { 200: Type.Object({ data: Type.Array(AccessTokenSchema) }), ...problems(401) },
      },
    }, async (request) => ({ data: (await listAccessTokens(deps, contextOf(request))).map(presentAccessToken) }));

    app.post('/v1/me/tokens', {
      schema: {
        operationId: 'createAccessToken', tags: ['Access tokens'], summary: 'Create an access token',
        description: 'Returns the token once: store it now. Send it as `Authorization: Bearer <token>`; it acts with your role.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
          expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ACCESS_TOKEN_DAYS })),
        }, { additionalProperties: false, examples: [{ name: 'ci pipeline', expires_in_days: 90 }] }),
        response: {
          201: Type.Object({ ...AccessTokenSchema.properties, token: Type.String({ description: 'The secret; shown only in this response.', examples: ['au_pat_4fTq…'] }) }),
          ...problems(400, 401, 403),
        },
      },
    }, async (request, reply) => {
      const { token, info } = await createAccessToken(deps, contextOf(request), { name: request.body.name, expiresInDays: request.body.expires_in_days });
      reply.code(201).header('cache-control', 'no-store');
      return { ...presentAccessToken(info), token };
    });

    app.delete('/v1/me/tokens/:id', {
      schema: {
        operationId: 'revokeAccessToken', tags: ['Access tokens'], summary: 'Revoke an access token',
        description: 'The token stops working on its next use.',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null({ description: 'Revoked.' }), ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      await revokeAccessToken(deps, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    });
  };
}

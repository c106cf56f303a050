import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { problems } from '../../http/schemas.js';
import { ApplicationRefSchema } from '../applications/application.schemas.js';
import { openApiUserInvite } from './api-user-invite.service.js';
import { REVEAL_PAGE } from './reveal-page.js';
import { ApiUserPassword } from './api-user.schemas.js';

const Token = Type.String({ minLength: 1, maxLength: 200, description: 'From the invitation link, after #token=.' });

export function apiUserInviteRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v1/api-user-invites/reveal', {
      schema: {
        operationId: 'revealApiUserPassword', tags: ['Invitations'], summary: 'Reveal an API user\'s password (once)', security: [],
        description: 'Opens the one-time invitation link the API user received by email: generates the password and shows it in this answer only. The link is then used up; an administrator can resend the invitation for a new one.',
        body: Type.Object({ token: Token }, { additionalProperties: false, examples: [{ token: 'from-the-invitation-link' }] }),
        response: {
          200: Type.Object({
            username: Type.String({ examples: ['apiuser-038271645590@apiconnector.example'] }),
            password: Type.String({ description: 'Shown once; store it in the integration now.' }),
            applications: Type.Array(ApplicationRefSchema),
          }),
          ...problems(400, 404),
        },
      },
    }, async (request, reply) => {
      const { apiUser, password } = await openApiUserInvite(deps, contextOf(request), { token: request.body.token });
      reply.header('cache-control', 'no-store');
      return { username: apiUser.username, password: password!, applications: apiUser.applications };
    });

    app.post('/v1/api-user-invites/password', {
      schema: {
        operationId: 'chooseApiUserPassword', tags: ['Invitations'], summary: 'Choose an API user\'s password (once)', security: [],
        description: 'Instead of revealing a generated password, the API user types their own (twice), under the API user password rules. Uses up the link.',
        body: Type.Object({ token: Token, password: ApiUserPassword, password_confirmation: Type.String({ maxLength: 1024 }) }, {
          additionalProperties: false, examples: [{ token: 'from-the-invitation-link', password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!' }],
        }),
        response: {
          200: Type.Object({ username: Type.String(), applications: Type.Array(ApplicationRefSchema) }),
          ...problems(400, 404),
        },
      },
    }, async (request) => {
      const { apiUser } = await openApiUserInvite(deps, contextOf(request), {
        token: request.body.token, password: request.body.password, passwordConfirmation: request.body.password_confirmation,
      });
      return { username: apiUser.username, applications: apiUser.applications };
    });

    app.get('/reveal', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(REVEAL_PAGE));
  };
}

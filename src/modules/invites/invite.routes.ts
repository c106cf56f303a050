import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { problems } from '../../http/schemas.js';
import { AdministratorSchema, Password, presentAdministrator } from '../admins/admin.schemas.js';
import { acceptAdminInvite } from './admin-invite.service.js';
import { INVITE_PAGE } from './invite-page.js';

export function inviteRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v1/invites/accept', {
      schema: {
        operationId: 'acceptInvite', tags: ['Invitations'], summary: 'Accept an administrator invitation', security: [],
        description: 'The invited administrator chooses a password with the token from their invitation link (after `#token=`). The link works once and expires after 7 days.',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Password }, {
          additionalProperties: false, examples: [{ token: 'from-the-invitation-link', password: 'correct horse battery staple' }],
        }),
        response: { 200: AdministratorSchema, ...problems(400, 404) },
      },
    }, async (request) => presentAdministrator(await acceptAdminInvite(deps, contextOf(request), request.body)));

    app.get('/invite', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(INVITE_PAGE));
  };
}

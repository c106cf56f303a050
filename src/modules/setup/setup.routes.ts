import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { problems } from '../../http/schemas.js';
import { Email, Password, PersonName, presentAdministrator, AdministratorSchema } from '../admins/admin.schemas.js';
import { presentOrganization } from '../organizations/organization.presenter.js';
import { NewOrganizationSchema, OrganizationSchema } from '../organizations/organization.schemas.js';
import { setSessionCookie } from '../sessions/session-cookie.js';
import { startSession } from '../sessions/session.service.js';
import { completeSetup } from './setup.service.js';
import { SETUP_PAGE } from './setup-page.js';

export function setupRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v1/setup', {
      schema: {
        operationId: 'completeSetup', tags: ['Setup'], summary: 'Create the first organization and its owner', security: [],
        description: 'Uses the one-time token printed by the server on its first start (the part after `#token=` in the setup link). Creates the organization and its Account owner, signs the owner in, and voids the link.',
        body: Type.Object({
          token: Type.String({ minLength: 1, maxLength: 200 }),
          organization: NewOrganizationSchema,
          owner: Type.Object({ email: Email, first_name: PersonName, last_name: PersonName, password: Password }, { additionalProperties: false }),
        }, {
          additionalProperties: false,
          examples: [{
            token: 'pasted-from-the-setup-link',
            organization: { name: 'Acme Corp', time_zone: 'America/Chicago' },
            owner: { email: 'owner@acme.example', first_name: 'Olivia', last_name: 'Owner', password: 'correct horse battery staple' },
          }],
        }),
        response: {
          201: Type.Object({ organization: OrganizationSchema, owner: AdministratorSchema, csrf_token: Type.String() }),
          ...problems(400, 404, 409),
        },
      },
    }, async (request, reply) => {
      const ctx = contextOf(request);
      const { organization, owner } = await completeSetup(deps, ctx, {
        token: request.body.token,
        organization: { name: request.body.organization.name, timeZone: request.body.organization.time_zone },
        owner: { email: request.body.owner.email, firstName: request.body.owner.first_name, lastName: request.body.owner.last_name, password: request.body.owner.password },
      });
      const session = await startSession(deps, ctx, owner);
      setSessionCookie(reply, deps.config.publicUrl, session.token);
      reply.code(201);
      return { organization: presentOrganization(organization, deps.clock.now()), owner: presentAdministrator(owner), csrf_token: session.csrfToken };
    });

    app.get('/setup', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(SETUP_PAGE));
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { problems } from '../../http/schemas.js';
import { findAdministratorById } from '../admins/admin.repository.js';
import { Email, presentAdministrator } from '../admins/admin.schemas.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { presentOrganization } from '../organizations/organization.presenter.js';
import { findRolePrivileges } from '../roles/role.repository.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import { SessionSchema } from './session.schemas.js';
import { csrfTokenFor, signIn, signOut } from './session.service.js';

/** Sign-in: public. */
export function signInRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v1/session', {
      schema: {
        operationId: 'signIn', tags: ['Session'], summary: 'Sign in', security: [],
        description: 'Email and password. Sets an HttpOnly session cookie and returns the CSRF token to send as X-CSRF-Token on changes. A wrong email and a wrong password get the same 401; repeated failures per account or IP get 429 with Retry-After.',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) }, {
          additionalProperties: false, examples: [{ email: 'owner@acme.example', password: 'correct horse battery staple' }],
        }),
        response: { 200: SessionSchema, ...problems(400, 401, 403, 429) },
      },
    }, async (request, reply) => {
      const result = await signIn(deps, contextOf(request), request.body);
      setSessionCookie(reply, deps.config.publicUrl, result.token);
      const org = (await findOrganizationById(deps.db, result.administrator.organizationId))!;
      return {
        administrator: presentAdministrator(result.administrator),
        organization: presentOrganization(org, deps.clock.now()),
        privileges: await findRolePrivileges(deps.db, result.administrator.roleId),
        csrf_token: result.csrfToken,
        expires_at: result.expiresAt,
        local_mailbox: !deps.config.smtpUrl,
      };
    });
  };
}

/** The current session: behind authentication. */
export function sessionRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/session', {
      schema: {
        operationId: 'getSession', tags: ['Session'], summary: 'Who am I',
        description: 'The signed-in administrator, their organization and privileges, and the CSRF token again (for a reloaded page).',
        response: { 200: SessionSchema, ...problems(401) },
      },
    }, async (request) => {
      const principal = request.principal!;
      const admin = (await findAdministratorById(deps.db, principal.organizationId, principal.userId))!;
      const org = (await findOrganizationById(deps.db, principal.organizationId))!;
      return {
        administrator: presentAdministrator(admin),
        organization: presentOrganization(org, deps.clock.now()),
        privileges: [...principal.privileges],
        csrf_token: principal.sessionId ? csrfTokenFor(deps.secretKey, principal.sessionId) : null,
        expires_at: null,
        local_mailbox: !deps.config.smtpUrl,
      };
    });

    app.delete('/v1/session', {
      schema: {
        operationId: 'signOut', tags: ['Session'], summary: 'Sign out',
        description: 'Revokes the session on the server and clears the cookie. Needs X-CSRF-Token.',
        response: { 204: Type.Null({ description: 'Signed out.' }), ...problems(401, 403) },
      },
    }, async (request, reply) => {
      await signOut(deps, contextOf(request));
      clearSessionCookie(reply, deps.config.publicUrl);
      return reply.code(204).send(null);
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { Id, IfMatchHeader, OrgParams, problems } from '../../http/schemas.js';
import { DirectoryPageSchema, DirectoryQuerySchema } from '../directory/directory.schemas.js';
import { listDirectoryPage } from '../directory/directory.service.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { deleteApiUser, updateApiUser } from './api-user-change.service.js';
import { ApiUserChangesBody, ApiUserSchema, NewApiUserBody, presentApiUser } from './api-user.schemas.js';
import { deleteWarningFor } from './last-application-guard.js';
import { createApiUser, getApiUser, proposeApiUsername, resendApiUserInvite } from './api-user.service.js';

const UserParams = Type.Object({ org: Id, id: Id });
const Confirm = Type.Object({
  confirm: Type.Optional(Type.Boolean({ default: false, description: 'Go ahead even if this leaves an external application without an enabled API user.' })),
});

export function apiUserRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const present = async (orgId: string, user: Parameters<typeof presentApiUser>[0]) =>
      presentApiUser(user, (await findOrganizationById(deps.db, orgId))!, deps.clock.now());

    app.get('/v1/organizations/:org/api-users', {
      schema: {
        operationId: 'listApiUsers', tags: ['API users'], summary: 'List and search API users',
        description: 'Settings > Access > API users: username, description, status, applications, last sign-in. `q` searches name, username, email and description. Keyset-paginated. Needs `api-users:read`.',
        params: OrgParams,
        querystring: Type.Object(DirectoryQuerySchema),
        response: { 200: DirectoryPageSchema, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => listDirectoryPage(deps, contextOf(request), request.params.org, 'api-users:read', 'api', request.query));

    app.get('/v1/organizations/:org/api-users/new', {
      schema: {
        operationId: 'proposeApiUser', tags: ['API users'], summary: 'Propose a username for a new API user',
        description: 'The randomly generated, unique email-shaped username a "New user" form shows; send it back as `username` to accept it. Needs `api-users:manage`.',
        params: OrgParams,
        response: {
          200: Type.Object({
            username: Type.String({ examples: ['apiuser-038271645590@apiconnector.example'] }),
            status: Type.Literal('enabled'),
            applications: Type.Array(Type.String(), { examples: [['httpapi']] }),
          }),
          ...problems(401, 403, 404),
        },
      },
    }, async (request) => ({ username: await proposeApiUsername(deps, contextOf(request), request.params.org), status: 'enabled' as const, applications: ['httpapi'] }));

    app.post('/v1/organizations/:org/api-users', {
      schema: {
        operationId: 'createApiUser', tags: ['API users'], summary: 'Create an API user',
        description: 'Two ways, as in the two guides. dotdigital: accept the proposed username, add a description, type the password twice, status Enabled. Movius: first name, last name, email and external applications; the API user receives an email with the username and a one-time link to the password. Needs `api-users:manage` ("API User") or `account:manage` ("Can manage account").',
        params: OrgParams,
        body: NewApiUserBody,
        response: {
          201: Type.Object({ api_user: ApiUserSchema, invite_sent: Type.Boolean({ description: 'Whether an invitation email was queued.' }) }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    }, async (request, reply) => {
      const b = request.body;
      const { apiUser, inviteSent } = await createApiUser(deps, contextOf(request), request.params.org, {
        username: b.username, firstName: b.first_name, lastName: b.last_name, email: b.email, description: b.description,
        status: b.status, applications: b.applications, password: b.password, passwordConfirmation: b.password_confirmation,
      });
      reply.code(201).header('etag', etagOf(apiUser.version)).header('location', `/v1/organizations/${apiUser.organizationId}/api-users/${apiUser.id}`);
      return { api_user: await present(request.params.org, apiUser), invite_sent: inviteSent };
    });

    app.get('/v1/organizations/:org/api-users/:id', {
      schema: {
        operationId: 'getApiUser', tags: ['API users'], summary: 'Get an API user',
        description: 'The Details panel, with the rate-limit tier: `rate_limit_tier` (null: the organization\'s default) and `effective_rate_limit`, the tier and requests per minute that apply. Never includes a password or hash. Needs `api-users:read`.',
        params: UserParams,
        response: { 200: ApiUserSchema, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      const user = await getApiUser(deps, contextOf(request), request.params.org, request.params.id);
      reply.header('etag', etagOf(user.version));
      return { ...(await present(request.params.org, user)), delete_warning: await deleteWarningFor(deps.db, user) };
    });

    app.patch('/v1/organizations/:org/api-users/:id', {
      schema: {
        operationId: 'updateApiUser', tags: ['API users'], summary: 'Edit an API user',
        description: 'Personal details, description, external applications, status, password (typed twice) and `rate_limit_tier` (low, medium, high, unlimited; null for the organization\'s default). The username cannot change (409). Disabling the user or removing an application answers 409 `api_user.last_for_application` when it would leave an application without an enabled API user, unless `?confirm=true`. Needs `api-users:manage` and If-Match.',
        params: UserParams,
        querystring: Confirm,
        headers: IfMatchHeader,
        body: ApiUserChangesBody,
        response: { 200: ApiUserSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      const b = request.body;
      const user = await updateApiUser(deps, contextOf(request), request.params.org, request.params.id, requireIfMatch(request.headers['if-match']), {
        username: b.username, firstName: b.first_name, lastName: b.last_name, email: b.email, description: b.description,
        status: b.status, applications: b.applications, password: b.password, passwordConfirmation: b.password_confirmation,
        rateLimitTier: b.rate_limit_tier,
      }, request.query.confirm ?? false);
      reply.header('etag', etagOf(user.version));
      return present(request.params.org, user);
    });

    app.delete('/v1/organizations/:org/api-users/:id', {
      schema: {
        operationId: 'deleteApiUser', tags: ['API users'], summary: 'Delete an API user',
        description: "Removes the API user and its credentials; it can no longer call the API. When it is the only enabled API user of an external application the answer is 409 `api_user.last_for_application` with the warning \"'<name>' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.\"; repeat with `?confirm=true` to delete anyway. Needs `api-users:manage` and If-Match.",
        params: UserParams,
        querystring: Confirm,
        headers: IfMatchHeader,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      await deleteApiUser(deps, contextOf(request), request.params.org, request.params.id, requireIfMatch(request.headers['if-match']), request.query.confirm ?? false);
      return reply.code(204).send(null);
    });

    app.post('/v1/organizations/:org/api-users/:id/invite', {
      schema: {
        operationId: 'resendApiUserInvite', tags: ['API users'], summary: 'Resend the invitation',
        description: 'Movius "Resend Invite": emails a new one-time link; the previous link stops working. With INVITE_DELIVERY=inline a new password is generated and emailed instead. Needs `api-users:manage`.',
        params: UserParams,
        response: { 202: Type.Object({ api_user: ApiUserSchema, invite_sent: Type.Literal(true) }), ...problems(401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const user = await resendApiUserInvite(deps, contextOf(request), request.params.org, request.params.id);
      reply.code(202);
      return { api_user: await present(request.params.org, user), invite_sent: true as const };
    });
  };
}

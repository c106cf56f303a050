import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { Id, IfMatchHeader, OrgParams, problems } from '../../http/schemas.js';
import { DirectoryPageSchema, DirectoryQuerySchema } from '../directory/directory.schemas.js';
import { listDirectoryPage } from '../directory/directory.service.js';
import { AdministratorSchema, Email, Password, PersonName, presentAdministrator } from './admin.schemas.js';
import { createAdministrator, deleteAdministrator, getAdministrator, updateAdministrator } from './admin.service.js';
import { transferOwnership } from './ownership.service.js';

const AdminParams = Type.Object({ org: Id, id: Id });

export function administratorRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/administrators', {
      schema: {
        operationId: 'listAdministrators', tags: ['Administrators'], summary: 'List administrators and API users',
        description: 'The Administrators tool: people and API users together (filter with `kind`), with Name, Last Sign In, Role and Organization. `q` is the search box (name, username, email, description). Keyset-paginated; the organization\'s time zone and its label come with every page. Needs `admins:read`.',
        params: OrgParams,
        querystring: Type.Object({ ...DirectoryQuerySchema, kind: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('api')], { description: 'Only people (`admin`) or only API users (`api`).' })) }),
        response: { 200: DirectoryPageSchema, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => listDirectoryPage(deps, contextOf(request), request.params.org, 'admins:read', request.query.kind, request.query));

    app.post('/v1/organizations/:org/administrators', {
      schema: {
        operationId: 'createAdministrator', tags: ['Administrators'], summary: 'Add or invite an administrator',
        description: 'With `password` the administrator can sign in at once. Without it they are `invited`: an email with a one-time link goes to them (through the outbox), and the response also carries that `invite_url` (shown only here); opening it lets them choose a password. Needs `admins:manage`, and you can only give a role whose privileges you hold.',
        params: OrgParams,
        body: Type.Object({
          email: Email, first_name: PersonName, last_name: PersonName,
          role_id: Type.String({ minLength: 1, maxLength: 64, description: 'A role id from GET …/roles.', examples: ['administrator'] }),
          password: Type.Optional(Password),
        }, { additionalProperties: false, examples: [{ email: 'melanie.allen@acme.example', first_name: 'Melanie', last_name: 'Allen', role_id: 'administrator' }] }),
        response: {
          201: Type.Object({ administrator: AdministratorSchema, invite_url: Type.Union([Type.String(), Type.Null()], { description: 'One-time link for an invited administrator; never shown again.' }) }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    }, async (request, reply) => {
      const { administrator, inviteUrl } = await createAdministrator(deps, contextOf(request), request.params.org, {
        email: request.body.email, firstName: request.body.first_name, lastName: request.body.last_name,
        roleId: request.body.role_id, password: request.body.password,
      });
      reply.code(201).header('etag', etagOf(administrator.version)).header('location', `/v1/organizations/${administrator.organizationId}/administrators/${administrator.id}`);
      return { administrator: presentAdministrator(administrator), invite_url: inviteUrl };
    });

    app.get('/v1/organizations/:org/administrators/:id', {
      schema: {
        operationId: 'getAdministrator', tags: ['Administrators'], summary: 'Get an administrator',
        description: 'Needs `admins:read`. The ETag is the version to send in If-Match when changing it.',
        params: AdminParams,
        response: { 200: AdministratorSchema, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      const admin = await getAdministrator(deps, contextOf(request), request.params.org, request.params.id);
      reply.header('etag', etagOf(admin.version));
      return presentAdministrator(admin);
    });

    app.patch('/v1/organizations/:org/administrators/:id', {
      schema: {
        operationId: 'updateAdministrator', tags: ['Administrators'], summary: 'Edit an administrator',
        description: 'Personal details, role and status (enabled/disabled). The Account owner keeps their role and status until ownership is transferred; nobody changes their own role or status. Disabling signs the person out everywhere. Needs `admins:manage` and If-Match.',
        params: AdminParams,
        headers: IfMatchHeader,
        body: Type.Object({
          email: Type.Optional(Email), first_name: Type.Optional(PersonName), last_name: Type.Optional(PersonName),
          role_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
        }, { additionalProperties: false, minProperties: 1, examples: [{ status: 'disabled' }] }),
        response: { 200: AdministratorSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      const version = requireIfMatch(request.headers['if-match']);
      const admin = await updateAdministrator(deps, contextOf(request), request.params.org, request.params.id, version, {
        email: request.body.email, firstName: request.body.first_name, lastName: request.body.last_name,
        roleId: request.body.role_id, status: request.body.status,
      });
      reply.header('etag', etagOf(admin.version));
      return presentAdministrator(admin);
    });

    app.delete('/v1/organizations/:org/administrators/:id', {
      schema: {
        operationId: 'deleteAdministrator', tags: ['Administrators'], summary: 'Remove an administrator',
        description: 'Removes the person, their sessions and tokens. Not the Account owner, not yourself. Needs `admins:manage` and If-Match.',
        params: AdminParams,
        headers: IfMatchHeader,
        response: { 204: Type.Null({ description: 'Removed.' }), ...problems(401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      const version = requireIfMatch(request.headers['if-match']);
      await deleteAdministrator(deps, contextOf(request), request.params.org, request.params.id, version);
      return reply.code(204).send(null);
    });

    app.post('/v1/organizations/:org/transfer-ownership', {
      schema: {
        operationId: 'transferOwnership', tags: ['Organizations'], summary: 'Transfer ownership',
        description: 'Only the Account owner. The named enabled administrator becomes the Account owner; you become an Enterprise Super Administrator. The organization always has exactly one owner.',
        params: OrgParams,
        body: Type.Object({ administrator_id: Id }, { additionalProperties: false }),
        response: { 200: AdministratorSchema, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request) => presentAdministrator(await transferOwnership(deps, contextOf(request), request.params.org, request.body.administrator_id)));
  };
}

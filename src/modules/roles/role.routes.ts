import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { IfMatchHeader, OrgParams, problems, Timestamp } from '../../http/schemas.js';
import { PRIVILEGES, PRIVILEGE_NAMES } from './privileges.js';
import type { Role } from './role.repository.js';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './role.service.js';

const PrivilegeName = Type.Union(PRIVILEGE_NAMES.map((p) => Type.Literal(p)), { description: 'A privilege; GET /v1/privileges lists them.' });

const RoleSchema = Type.Object({
  id: Type.String({ examples: ['administrator'] }),
  name: Type.String({ examples: ['Administrator'] }),
  description: Type.String(),
  kind: Type.Union([Type.Literal('built_in'), Type.Literal('custom')]),
  assignable_to: Type.Union([Type.Literal('admin'), Type.Literal('api')], { description: 'Whether people or API users hold this role.' }),
  privileges: Type.Array(Type.String()),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

function presentRole(r: Role) {
  return {
    id: r.id, name: r.name, description: r.description, kind: r.kind, assignable_to: r.assignableTo,
    privileges: r.privileges, version: r.version, created_at: r.createdAt, updated_at: r.updatedAt,
  };
}

const RoleParams = Type.Object({ org: OrgParams.properties.org, id: Type.String({ minLength: 1, maxLength: 64 }) });
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', examples: ['Integration manager'] });
const RoleDescription = Type.String({ maxLength: 500 });

export function roleRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/privileges', {
      schema: {
        operationId: 'listPrivileges', tags: ['Roles'], summary: 'List privileges',
        description: 'Every privilege a role can grant. `account:manage` ("Can manage account") implies all others.',
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })) }), ...problems(401) },
      },
    }, async () => ({ data: PRIVILEGE_NAMES.map((name) => ({ name, description: PRIVILEGES[name] })) }));

    app.get('/v1/organizations/:org/roles', {
      schema: {
        operationId: 'listRoles', tags: ['Roles'], summary: 'List roles',
        description: 'Built-in roles (Account owner, Enterprise Super Administrator, Administrator, Viewer, API User) and the organization\'s custom roles. Needs `admins:read`.',
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(RoleSchema) }), ...problems(401, 403, 404) },
      },
    }, async (request) => ({ data: (await listRoles(deps, contextOf(request), request.params.org)).map(presentRole) }));

    app.post('/v1/organizations/:org/roles', {
      schema: {
        operationId: 'createRole', tags: ['Roles'], summary: 'Create a custom role',
        description: 'A role for administrators with the privileges you choose. Needs "Can manage account".',
        params: OrgParams,
        body: Type.Object({ name: RoleName, description: Type.Optional(RoleDescription), privileges: Type.Array(PrivilegeName, { maxItems: 20 }) }, {
          additionalProperties: false, examples: [{ name: 'Integration manager', description: 'Creates API users only', privileges: ['api-users:manage', 'api-users:read'] }],
        }),
        response: { 201: RoleSchema, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const role = await createRole(deps, contextOf(request), request.params.org, request.body);
      reply.code(201).header('etag', etagOf(role.version));
      return presentRole(role);
    });

    app.get('/v1/organizations/:org/roles/:id', {
      schema: {
        operationId: 'getRole', tags: ['Roles'], summary: 'Get a role', description: 'Needs `admins:read`.',
        params: RoleParams,
        response: { 200: RoleSchema, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      const role = await getRole(deps, contextOf(request), request.params.org, request.params.id);
      reply.header('etag', etagOf(role.version));
      return presentRole(role);
    });

    app.patch('/v1/organizations/:org/roles/:id', {
      schema: {
        operationId: 'updateRole', tags: ['Roles'], summary: 'Edit a custom role',
        description: 'Built-in roles cannot change (409). Privilege changes apply to holders on their next request. Needs "Can manage account" and If-Match.',
        params: RoleParams,
        headers: IfMatchHeader,
        body: Type.Object({ name: Type.Optional(RoleName), description: Type.Optional(RoleDescription), privileges: Type.Optional(Type.Array(PrivilegeName, { maxItems: 20 })) }, {
          additionalProperties: false, minProperties: 1, examples: [{ privileges: ['api-users:read'] }],
        }),
        response: { 200: RoleSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      const version = requireIfMatch(request.headers['if-match']);
      const role = await updateRole(deps, contextOf(request), request.params.org, request.params.id, version, request.body);
      reply.header('etag', etagOf(role.version));
      return presentRole(role);
    });

    app.delete('/v1/organizations/:org/roles/:id', {
      schema: {
        operationId: 'deleteRole', tags: ['Roles'], summary: 'Delete a custom role',
        description: 'Only when nobody holds it (409 otherwise). Needs "Can manage account" and If-Match.',
        params: RoleParams,
        headers: IfMatchHeader,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      await deleteRole(deps, contextOf(request), request.params.org, request.params.id, requireIfMatch(request.headers['if-match']));
      return reply.code(204).send(null);
    });
  };
}

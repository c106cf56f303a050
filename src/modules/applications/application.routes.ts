import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { Id, IfMatchHeader, OrgParams, problems } from '../../http/schemas.js';
import { ApplicationKey, ApplicationSchema, presentApplication } from './application.schemas.js';
import { createApplication, deleteApplication, getApplication, listApplications, updateApplication } from './application.service.js';

const AppParams = Type.Object({ org: Id, id: Id });
const AppName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', examples: ['Acme Portal'] });
const AppDescription = Type.String({ maxLength: 500, examples: ['Our customer portal, built on the platform API'] });

export function applicationRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/applications', {
      schema: {
        operationId: 'listApplications', tags: ['Applications'], summary: 'List external applications',
        description: 'HttpApi (any external app), Salesforce, and the organization\'s custom applications. Needs `api-users:read`.',
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(ApplicationSchema) }), ...problems(401, 403, 404) },
      },
    }, async (request) => ({ data: (await listApplications(deps, contextOf(request), request.params.org)).map(presentApplication) }));

    app.post('/v1/organizations/:org/applications', {
      schema: {
        operationId: 'createApplication', tags: ['Applications'], summary: 'Add a custom application',
        description: 'For an app your company built with the platform. API users assigned to it connect with `X-Application: <key>`. Needs `applications:manage`.',
        params: OrgParams,
        body: Type.Object({ key: ApplicationKey, name: AppName, description: Type.Optional(AppDescription) }, {
          additionalProperties: false, examples: [{ key: 'acme-portal', name: 'Acme Portal', description: 'Our customer portal' }],
        }),
        response: { 201: ApplicationSchema, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const created = await createApplication(deps, contextOf(request), request.params.org, request.body);
      reply.code(201).header('etag', etagOf(created.version));
      return presentApplication(created);
    });

    app.get('/v1/organizations/:org/applications/:id', {
      schema: {
        operationId: 'getApplication', tags: ['Applications'], summary: 'Get an application', description: 'Needs `api-users:read`.',
        params: AppParams,
        response: { 200: ApplicationSchema, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      const found = await getApplication(deps, contextOf(request), request.params.org, request.params.id);
      reply.header('etag', etagOf(found.version));
      return presentApplication(found);
    });

    app.patch('/v1/organizations/:org/applications/:id', {
      schema: {
        operationId: 'updateApplication', tags: ['Applications'], summary: 'Rename a custom application',
        description: 'Name and description; the key is fixed because integrations send it. Built-ins cannot change (409). Needs `applications:manage` and If-Match.',
        params: AppParams,
        headers: IfMatchHeader,
        body: Type.Object({ name: Type.Optional(AppName), description: Type.Optional(AppDescription) }, { additionalProperties: false, minProperties: 1, examples: [{ name: 'Acme Portal v2' }] }),
        response: { 200: ApplicationSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      const updated = await updateApplication(deps, contextOf(request), request.params.org, request.params.id, requireIfMatch(request.headers['if-match']), request.body);
      reply.header('etag', etagOf(updated.version));
      return presentApplication(updated);
    });

    app.delete('/v1/organizations/:org/applications/:id', {
      schema: {
        operationId: 'deleteApplication', tags: ['Applications'], summary: 'Delete a custom application',
        description: 'Refused (409 application.in_use) while API users connect as it. Needs `applications:manage` and If-Match.',
        params: AppParams,
        headers: IfMatchHeader,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(401, 403, 404, 409, 412, 428) },
      },
    }, async (request, reply) => {
      await deleteApplication(deps, contextOf(request), request.params.org, request.params.id, requireIfMatch(request.headers['if-match']));
      return reply.code(204).send(null);
    });
  };
}

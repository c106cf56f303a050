import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { IfMatchHeader, OrgParams, problems } from '../../http/schemas.js';
import { presentOrganization } from './organization.presenter.js';
import { getOrganization, updateOrganization } from './organization.service.js';
import { OrganizationName, OrganizationSchema, TimeZone } from './organization.schemas.js';

export function organizationRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org', {
      schema: {
        operationId: 'getOrganization', tags: ['Organizations'], summary: 'Get your organization',
        description: 'Any administrator of the organization may read it. Another organization\'s id answers 404.',
        params: OrgParams,
        response: { 200: OrganizationSchema, ...problems(401, 404) },
      },
    }, async (request, reply) => {
      const org = await getOrganization(deps, contextOf(request), request.params.org);
      reply.header('etag', etagOf(org.version));
      return presentOrganization(org, deps.clock.now());
    });

    app.patch('/v1/organizations/:org', {
      schema: {
        operationId: 'updateOrganization', tags: ['Organizations'], summary: 'Rename or change the time zone',
        description: 'Needs "Can manage account" (`account:manage`) and If-Match with the ETag of your last read.',
        params: OrgParams,
        headers: IfMatchHeader,
        body: Type.Object({ name: Type.Optional(OrganizationName), time_zone: Type.Optional(TimeZone) }, {
          additionalProperties: false, minProperties: 1, examples: [{ name: 'Acme Corp', time_zone: 'America/Chicago' }],
        }),
        response: { 200: OrganizationSchema, ...problems(400, 401, 403, 404, 412, 428) },
      },
    }, async (request, reply) => {
      const version = requireIfMatch(request.headers['if-match']);
      const org = await updateOrganization(deps, contextOf(request), request.params.org, version, {
        name: request.body.name, timeZone: request.body.time_zone,
      });
      reply.header('etag', etagOf(org.version));
      return presentOrganization(org, deps.clock.now());
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, OrgParams, Page, PageQuery, problems, Timestamp } from '../../http/schemas.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { AuditEvent } from './audit.repository.js';
import { listAuditEvents } from './audit.service.js';

const AuditEventSchema = Type.Object({
  id: Id,
  action: Type.String({ examples: ['administrator.created'] }),
  actor: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), label: Type.String({ description: 'Email of the administrator, or the tool that acted.' }) }),
  target: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  request_id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
});

function presentAuditEvent(e: AuditEvent) {
  return {
    id: e.id, action: e.action, actor: { id: e.actorId, label: e.actorLabel }, target: { type: e.targetType, id: e.targetId },
    request_id: e.requestId, ip: e.ip, data: e.data, created_at: e.createdAt,
  };
}

export function auditRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/audit-events', {
      schema: {
        operationId: 'listAuditEvents', tags: ['Audit'], summary: 'Read the audit log',
        description: 'Every change in the organization, newest first: who, what, target, request id, IP and time. Needs `audit:read`.',
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          action: Type.Optional(Type.String({ maxLength: 100, examples: ['administrator.created'] })),
          actor_id: Type.Optional(Id),
          target_id: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Page(AuditEventSchema, 'A page of audit events.'), ...problems(400, 401, 403, 404) },
      },
    }, async (request) => {
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor !== undefined ? decodeCursor(request.query.cursor, 2) : undefined;
      if (before === null) throw appError('request.cursor_invalid', 'The cursor is not one this API returned; start again without it.');
      const rows = await listAuditEvents(deps, contextOf(request), {
        organizationId: request.params.org, action: request.query.action, actorId: request.query.actor_id, targetId: request.query.target_id,
        before: before as [string, string] | undefined, limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page.map(presentAuditEvent), next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    });
  };
}

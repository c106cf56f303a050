import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, OrgParams, Page, PageQuery, problems, Timestamp } from '../../http/schemas.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { AuditEvent } from './audit.repository.js';
import { compareInstants, parseDateTime, storedBound } from './audit-time.js';
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

const DateTimeBound = (description: string, example: string) => Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description, examples: [example] }));

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
        description: 'Every change in the organization, newest first: who, what, target, request id, IP and time. Filters combine (all must match): `action`, `actor_id`, `target_id` and the time range `since` (inclusive) to `until` (exclusive). Keyset-paginated: keep the same filters when passing `next_cursor`. Needs `audit:read`.',
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          action: Type.Optional(Type.String({ maxLength: 100, description: 'Only events of this action.', examples: ['administrator.created'] })),
          actor_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only events by this administrator (their id).', examples: ['01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a'] })),
          target_id: Type.Optional(Type.String({ maxLength: 100, description: 'Only events about this target (its id).', examples: ['01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a'] })),
          since: DateTimeBound('Only events at or after this time (inclusive): an RFC 3339 date-time with `Z` or an offset, e.g. the start of a day in the organization\'s time zone. Must be before `until`.', '2026-11-25T06:00:00Z'),
          until: DateTimeBound('Only events before this time (exclusive): an RFC 3339 date-time with `Z` or an offset. For a whole day, the start of the next day.', '2026-11-26T00:00:00-06:00'),
        }),
        response: { 200: Page(AuditEventSchema, 'A page of audit events.'), ...problems(400, 401, 403, 404) },
      },
    }, async (request) => {
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor !== undefined ? decodeCursor(request.query.cursor, 2) : undefined;
      if (before === null) throw appError('request.cursor_invalid', 'The cursor is not one this API returned; start again without it.');
      const since = request.query.since === undefined ? undefined : parseDateTime(request.query.since);
      const until = request.query.until === undefined ? undefined : parseDateTime(request.query.until);
      if (since === null) throw invalidField('query', '/since', 'must be an RFC 3339 date-time, e.g. 2026-11-25T06:00:00Z');
      if (until === null) throw invalidField('query', '/until', 'must be an RFC 3339 date-time, e.g. 2026-11-26T06:00:00Z');
      if (since && until && compareInstants(since, until) >= 0) throw invalidField('query', '/since', 'must be before until');
      // null: a range starting after year 9999, which holds no event (the service still checks the privilege).
      const sinceBound = since ? storedBound(since) : undefined;
      const untilBound = until ? storedBound(until) ?? undefined : undefined;
      const rows = await listAuditEvents(deps, contextOf(request), {
        organizationId: request.params.org, action: request.query.action, actorId: request.query.actor_id, targetId: request.query.target_id,
        since: sinceBound, until: untilBound, before: before as [string, string] | undefined, limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page.map(presentAuditEvent), next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    });
  };
}

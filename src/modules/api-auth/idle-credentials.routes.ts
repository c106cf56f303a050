import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { contextOf, type RequestContext } from '../../http/request-context.js';
import { Id, OrgParams, Page, PageQuery, problems, Timestamp } from '../../http/schemas.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { POLICY_DAY_LIMITS, readCredentialPolicy } from '../organizations/credential-policy.js';
import { authorize } from '../sessions/principal.js';
import { listIdleCredentials, type WatchedCredential } from './watched-credential.repository.js';

const DAY_MS = 86_400_000;

const IdleCredentialSchema = Type.Object({
  id: Id,
  kind: Type.String({ description: 'password, api_key or public_key.', examples: ['api_key'] }),
  name: Type.String({ examples: ['Magento production'] }),
  hint: Type.String({ description: 'Prefix and last four characters of a generated credential; empty for a typed password.', examples: ['au_key_…x4Qz'] }),
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'null: never used.' }),
  created_at: Timestamp,
  expires_at: Type.Union([Timestamp, Type.Null()]),
  idle_since: Timestamp,
  idle_days: Type.Integer({ description: 'Whole days since `idle_since`.', examples: [120] }),
  api_user: Type.Object({
    id: Id,
    username: Type.String({ examples: ['apiuser-038271645590@apiconnector.example'] }),
    status: Type.String({ examples: ['enabled'] }),
  }),
}, { description: 'A live credential of an API user that nobody has used for a while.' });

const IdleCredentialPage = Type.Object({
  ...Page(IdleCredentialSchema, '').properties,
  days: Type.Integer({ description: 'The idle threshold this page used.', examples: [90] }),
  idle_before: Timestamp,
}, { description: 'A page of idle credentials, longest idle first.' });

function presentIdleCredential(c: WatchedCredential, now: Date) {
  return {
    id: c.id, kind: c.kind, name: c.name, hint: c.hint, last_used_at: c.lastUsedAt, created_at: c.createdAt, expires_at: c.expiresAt,
    idle_since: c.idleSince, idle_days: Math.floor((now.getTime() - new Date(c.idleSince).getTime()) / DAY_MS),
    api_user: { id: c.user.id, username: c.user.username, status: c.user.status },
  };
}

interface IdleListInput {
  days?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Needs `api-users:read`; `days` defaults to the policy's `idle_days`. */
async function listIdleCredentialPage(deps: Pick<AppDeps, 'db' | 'clock'>, ctx: RequestContext, organizationId: string, input: IdleListInput) {
  authorize(ctx.principal, organizationId, 'api-users:read');
  const after = input.cursor !== undefined ? decodeCursor(input.cursor, 2) : undefined;
  if (after === null) throw appError('request.cursor_invalid', 'The cursor is not one this API returned; start again without it.');
  const days = input.days ?? (await readCredentialPolicy(deps.db, organizationId)).idleDays;
  const now = deps.clock.now();
  const idleBefore = new Date(now.getTime() - days * DAY_MS).toISOString();
  const rows = await listIdleCredentials(deps.db, {
    organizationId, idleBefore, now: now.toISOString(), after: after as [string, string] | undefined, limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    data: page.map((c) => presentIdleCredential(c, now)),
    next_cursor: rows.length > input.limit && last ? encodeCursor([last.idleSince, last.id]) : null,
    days,
    idle_before: idleBefore,
  };
}

/** GET /v1/organizations/{org}/credentials/idle. */
export function idleCredentialRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/credentials/idle', {
      schema: {
        operationId: 'listIdleCredentials', tags: ['API users'], summary: 'List idle credentials',
        description: "Live (not revoked, not expired) credentials of the organization's API users that nobody used for `days` days (default: the credential policy's `idle_days`), counted from their creation when never used: candidates to revoke. Longest idle first, keyset-paginated. The credential policy's `idle_action` decides whether the service also warns about them and revokes them. Needs `api-users:read`.",
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          days: Type.Optional(Type.Integer({ minimum: POLICY_DAY_LIMITS.idleDays[0], maximum: POLICY_DAY_LIMITS.idleDays[1], description: 'Idle for at least this many days.', examples: [90] })),
        }),
        response: { 200: IdleCredentialPage, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => listIdleCredentialPage(deps, contextOf(request), request.params.org, {
      days: request.query.days, cursor: request.query.cursor, limit: request.query.limit ?? 50,
    }));
  };
}

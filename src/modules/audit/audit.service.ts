import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { authorize } from '../sessions/principal.js';
import { listAuditEvents as listAuditEventRows, type AuditEvent, type AuditQuery } from './audit.repository.js';

/** Newest first, keyset-paginated; needs `audit:read`. */
export async function listAuditEvents(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, query: AuditQuery): Promise<AuditEvent[]> {
  authorize(ctx.principal, query.organizationId, 'audit:read');
  return listAuditEventRows(deps.db, query);
}

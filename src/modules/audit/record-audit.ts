import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../http/request-context.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { insertAuditEvent } from './audit.repository.js';

export interface AuditEntry {
  organizationId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  /** Facts worth keeping (changed field names, role ids); never a secret. */
  data?: Record<string, unknown>;
}

/**
 * Writes one audit event in the caller's transaction, so the change and its record commit or
 * roll back together.
 * @example await recordAudit(trx, clock, ctx, { organizationId, action: 'administrator.created', targetType: 'administrator', targetId: id });
 */
export async function recordAudit(db: Executor, clock: Clock, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  const now = clock.now();
  await insertAuditEvent(db, {
    id: newId(now),
    organization_id: entry.organizationId,
    actor_id: ctx.principal?.userId ?? null,
    actor_label: ctx.principal?.email ?? ctx.userAgent ?? 'system',
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    request_id: ctx.requestId,
    ip: ctx.ip,
    data: JSON.stringify(entry.data ?? {}),
    created_at: now.toISOString(),
  });
}

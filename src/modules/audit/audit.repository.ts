import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AuditEventTable } from '../../db/schema.js';

export type AuditEventRow = Selectable<AuditEventTable>;

export interface AuditEvent {
  id: string;
  organizationId: string | null;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    organizationId: row.organization_id,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    ip: row.ip,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/** Append-only: there is no update or delete function for this table, by design. */
export async function insertAuditEvent(db: Executor, row: AuditEventRow): Promise<void> {
  await db.insertInto('audit_events').values(row).execute();
}

export interface AuditQuery {
  organizationId: string;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** Only events at or after this created_at (stored form, see audit-time.ts); null: none (a start after year 9999). */
  since?: string | null | undefined;
  /** Only events before this created_at (stored form). */
  until?: string | undefined;
  /** Newest first: rows strictly older than this (created_at, id) key. */
  before?: [string, string] | undefined;
  limit: number;
}

export async function listAuditEvents(db: Executor, q: AuditQuery): Promise<AuditEvent[]> {
  let query = db.selectFrom('audit_events').selectAll().where('organization_id', '=', q.organizationId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actorId) query = query.where('actor_id', '=', q.actorId);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.since === null) query = query.where(sql<boolean>`1 = 0`);
  else if (q.since !== undefined) query = query.where('created_at', '>=', q.since);
  if (q.until !== undefined) query = query.where('created_at', '<', q.until);
  if (q.before) {
    const [at, id] = q.before;
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toAuditEvent);
}

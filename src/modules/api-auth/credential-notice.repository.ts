import type { Executor } from '../../db/database.js';

/** Privileges whose holders are told about their organization's expiring and idle credentials. */
const NOTIFIED_PRIVILEGES = ['api-users:manage', 'account:manage'];

/** Emails of the organization's enabled administrators with a privilege in NOTIFIED_PRIVILEGES. */
export async function listCredentialManagerEmails(db: Executor, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('role_privileges', 'role_privileges.role_id', 'users.role_id')
    .select('users.email')
    .distinct()
    .where('users.organization_id', '=', organizationId)
    .where('users.kind', '=', 'admin')
    .where('users.status', '=', 'enabled')
    .where('role_privileges.privilege', 'in', NOTIFIED_PRIVILEGES)
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}

/** When each of the given outbox jobs was queued, by dedupe key (indexed: unique). */
export async function findOutboxQueuedAt(db: Executor, dedupeKeys: string[]): Promise<Map<string, string>> {
  const queued = new Map<string, string>();
  for (let i = 0; i < dedupeKeys.length; i += 500) {
    const rows = await db.selectFrom('outbox').select(['dedupe_key', 'created_at']).where('dedupe_key', 'in', dedupeKeys.slice(i, i + 500)).execute();
    for (const row of rows) queued.set(row.dedupe_key, row.created_at);
  }
  return queued;
}

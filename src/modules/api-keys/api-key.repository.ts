import type { Executor } from '../../db/database.js';

/** An API key as it may be shown: never the hash. */
export interface ApiKey {
  id: string;
  userId: string;
  organizationId: string;
  name: string;
  hint: string;
  expiresAt: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
  lastUsedApplication: string | null;
  createdBy: string | null;
  createdAt: string;
}

const COLUMNS = [
  'id', 'user_id', 'organization_id', 'name', 'hint', 'expires_at', 'revoked_at', 'replaced_by', 'last_used_at',
  'last_used_ip', 'last_used_user_agent', 'last_used_application', 'created_by', 'created_at',
] as const;

function toApiKey(row: Record<(typeof COLUMNS)[number], string | null>): ApiKey {
  return {
    id: row.id!, userId: row.user_id!, organizationId: row.organization_id!, name: row.name ?? '', hint: row.hint ?? '',
    expiresAt: row.expires_at, revokedAt: row.revoked_at, replacedBy: row.replaced_by, lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip, lastUsedUserAgent: row.last_used_user_agent, lastUsedApplication: row.last_used_application,
    createdBy: row.created_by, createdAt: row.created_at!,
  };
}

export async function listApiKeys(db: Executor, userId: string): Promise<ApiKey[]> {
  const rows = await db.selectFrom('credentials').select(COLUMNS).where('user_id', '=', userId).where('kind', '=', 'api_key')
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toApiKey);
}

export async function findApiKey(db: Executor, userId: string, id: string): Promise<ApiKey | null> {
  const row = await db.selectFrom('credentials').select(COLUMNS).where('user_id', '=', userId).where('kind', '=', 'api_key').where('id', '=', id).executeTakeFirst();
  return row ? toApiKey(row) : null;
}

/** Keys that still authenticate: not revoked, not expired. */
export async function countLiveApiKeys(db: Executor, userId: string, now: string): Promise<number> {
  const row = await db.selectFrom('credentials').select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('user_id', '=', userId).where('kind', '=', 'api_key').where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Rolling: the old key stays valid until `until` and points at its replacement. */
export async function scheduleApiKeyRetirement(db: Executor, id: string, until: string, replacedBy: string): Promise<void> {
  await db.updateTable('credentials').set({ expires_at: until, replaced_by: replacedBy }).where('id', '=', id).execute();
}

/**
 * The hot-path read on a cache miss: the key's state and its user's, by the key's HMAC.
 */
export async function findApiKeyForVerification(db: Executor, secretHash: string) {
  const row = await db
    .selectFrom('credentials')
    .innerJoin('users', 'users.id', 'credentials.user_id')
    .select([
      'credentials.id', 'credentials.kind', 'credentials.expires_at', 'credentials.revoked_at', 'users.id as user_id',
      'users.organization_id', 'users.username', 'users.status', 'users.kind as user_kind', 'users.rate_limit_tier',
    ])
    .where('credentials.secret_hash', '=', secretHash)
    .executeTakeFirst();
  if (!row || row.kind !== 'api_key' || row.user_kind !== 'api') return null;
  const apps = await db.selectFrom('user_applications').innerJoin('applications', 'applications.id', 'user_applications.application_id')
    .select('applications.key').where('user_applications.user_id', '=', row.user_id).execute();
  return { ...row, applications: apps.map((a) => a.key) };
}

export async function recordApiKeyUse(db: Executor, id: string, use: { at: string; ip: string | null; userAgent: string | null; application: string }): Promise<void> {
  await db.updateTable('credentials')
    .set({ last_used_at: use.at, last_used_ip: use.ip, last_used_user_agent: use.userAgent, last_used_application: use.application })
    .where('id', '=', id).execute();
}

/** Revokes one of the user's live API keys (never another kind of credential). @returns false when there is none */
export async function revokeApiKeyRow(db: Executor, userId: string, id: string, at: string): Promise<boolean> {
  const result = await db.updateTable('credentials').set({ revoked_at: at })
    .where('id', '=', id).where('user_id', '=', userId).where('kind', '=', 'api_key').where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

import type { Executor } from '../../db/database.js';

/** An API user seen as an OAuth client: client_id is its username. */
export interface OAuthClient {
  userId: string;
  organizationId: string;
  username: string;
  status: 'enabled' | 'disabled' | 'invited';
  rateLimitTier: string | null;
  /** Keys of the applications assigned to it. */
  applications: string[];
}

async function findOAuthClient(db: Executor, column: 'users.id' | 'users.username', value: string): Promise<OAuthClient | null> {
  const row = await db.selectFrom('users')
    .select(['users.id', 'users.organization_id', 'users.username', 'users.status', 'users.rate_limit_tier'])
    .where(column, '=', value).where('users.kind', '=', 'api').executeTakeFirst();
  if (!row) return null;
  const apps = await db.selectFrom('user_applications').innerJoin('applications', 'applications.id', 'user_applications.application_id')
    .select('applications.key').where('user_applications.user_id', '=', row.id).orderBy('applications.key').execute();
  return {
    userId: row.id, organizationId: row.organization_id, username: row.username!, status: row.status,
    rateLimitTier: row.rate_limit_tier ?? null, applications: apps.map((a) => a.key),
  };
}

/** @example await findOAuthClientByUsername(db, 'apiuser-038271645590@apiconnector.example') */
export function findOAuthClientByUsername(db: Executor, username: string): Promise<OAuthClient | null> {
  return findOAuthClient(db, 'users.username', username);
}

/** The API user an access token's `sub` names. */
export function findOAuthClientById(db: Executor, userId: string): Promise<OAuthClient | null> {
  return findOAuthClient(db, 'users.id', userId);
}

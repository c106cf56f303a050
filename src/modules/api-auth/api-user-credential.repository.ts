import type { Executor } from '../../db/database.js';

/**
 * The privileged read behind API user authentication: the user's live password hash, status and
 * application keys, by username, in two point queries.
 */
export async function findApiUserForAuthentication(db: Executor, username: string) {
  const user = await db
    .selectFrom('users')
    .leftJoin('credentials', (join) => join.onRef('credentials.user_id', '=', 'users.id').on('credentials.kind', '=', 'password').on('credentials.revoked_at', 'is', null))
    .select(['users.id', 'users.organization_id', 'users.username', 'users.status', 'users.rate_limit_tier', 'credentials.id as credential_id', 'credentials.secret_hash', 'credentials.expires_at'])
    .where('users.username', '=', username)
    .where('users.kind', '=', 'api')
    .executeTakeFirst();
  if (!user) return null;
  const apps = await db
    .selectFrom('user_applications')
    .innerJoin('applications', 'applications.id', 'user_applications.application_id')
    .select('applications.key')
    .where('user_applications.user_id', '=', user.id)
    .execute();
  return { ...user, applications: apps.map((a) => a.key) };
}

export async function recordApiUserSignIn(db: Executor, userId: string, at: string): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: at }).where('id', '=', userId).execute();
}

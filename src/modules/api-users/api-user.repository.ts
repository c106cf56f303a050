import type { Executor } from '../../db/database.js';
import type { UserRow } from '../admins/admin.repository.js';
import { effectiveTier, isTier, type Tier } from '../api-auth/rate-limit-tiers.js';
import { parseCredentialPolicy } from '../organizations/credential-policy.js';

export interface ApplicationRef {
  id: string;
  key: string;
  name: string;
}

/** An API user as services see it: the user row, its role name and its applications. */
export interface ApiUser {
  id: string;
  organizationId: string;
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  description: string;
  status: 'enabled' | 'disabled';
  roleId: string;
  roleName: string;
  lastSignInAt: string | null;
  /** The user's own rate-limit tier; null: the organization's default. */
  rateLimitTier: Tier | null;
  /** The tier that applies: its own, else the organization's default (credential policy). */
  effectiveRateLimitTier: Tier;
  applications: ApplicationRef[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** "Melanie Allen", or the username when the API user has no personal name (dotdigital style). */
export function apiUserDisplayName(user: Pick<ApiUser, 'firstName' | 'lastName' | 'username'>): string {
  return `${user.firstName} ${user.lastName}`.trim() || user.username;
}

export async function applicationsOfUsers(db: Executor, userIds: string[]): Promise<Map<string, ApplicationRef[]>> {
  const map = new Map<string, ApplicationRef[]>();
  if (userIds.length === 0) return map;
  const rows = await db
    .selectFrom('user_applications')
    .innerJoin('applications', 'applications.id', 'user_applications.application_id')
    .select(['user_applications.user_id', 'applications.id', 'applications.key', 'applications.name'])
    .where('user_applications.user_id', 'in', userIds)
    .orderBy('applications.name')
    .execute();
  for (const row of rows) {
    const list = map.get(row.user_id) ?? [];
    list.push({ id: row.id, key: row.key, name: row.name });
    map.set(row.user_id, list);
  }
  return map;
}

function toApiUser(row: UserRow & { role_name: string; organization_settings: string }, applications: ApplicationRef[]): ApiUser {
  const rateLimitTier = isTier(row.rate_limit_tier) ? row.rate_limit_tier : null;
  return {
    id: row.id, organizationId: row.organization_id, username: row.username!, email: row.email === '' ? null : row.email,
    firstName: row.first_name, lastName: row.last_name, description: row.description, status: row.status as ApiUser['status'],
    roleId: row.role_id, roleName: row.role_name, lastSignInAt: row.last_sign_in_at, applications, rateLimitTier,
    effectiveRateLimitTier: effectiveTier(rateLimitTier, parseCredentialPolicy(row.organization_settings).defaultRateLimitTier),
    version: Number(row.version), createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export async function findApiUserById(db: Executor, organizationId: string, id: string): Promise<ApiUser | null> {
  const row = await db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .selectAll('users')
    .select(['roles.name as role_name', 'organizations.settings as organization_settings'])
    .where('users.organization_id', '=', organizationId)
    .where('users.id', '=', id)
    .where('users.kind', '=', 'api')
    .executeTakeFirst();
  if (!row) return null;
  return toApiUser(row, (await applicationsOfUsers(db, [row.id])).get(row.id) ?? []);
}

export async function usernameExists(db: Executor, username: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}

export async function replaceUserApplications(db: Executor, userId: string, applicationIds: string[], at: string): Promise<void> {
  await db.deleteFrom('user_applications').where('user_id', '=', userId).execute();
  if (applicationIds.length > 0) {
    await db.insertInto('user_applications').values(applicationIds.map((id) => ({ user_id: userId, application_id: id, created_at: at }))).execute();
  }
}

/**
 * Takes a write lock on the applications' rows (a no-op update locks them on PostgreSQL; SQLite
 * serializes writers anyway), so two transactions guarding the same application run one after
 * the other and cannot both remove its last enabled API user.
 */
export async function lockApplications(db: Executor, applicationIds: string[]): Promise<void> {
  if (applicationIds.length === 0) return;
  await db.updateTable('applications').set((eb) => ({ version: eb.ref('version') })).where('id', 'in', [...applicationIds].sort()).execute();
}

/** Enabled API users, other than `exceptUserId`, that connect as the application. */
export async function countOtherEnabledApiUsers(db: Executor, applicationId: string, exceptUserId: string): Promise<number> {
  const row = await db
    .selectFrom('user_applications')
    .innerJoin('users', 'users.id', 'user_applications.user_id')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('user_applications.application_id', '=', applicationId)
    .where('users.id', '!=', exceptUserId)
    .where('users.kind', '=', 'api')
    .where('users.status', '=', 'enabled')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateApiUserRow(
  db: Executor, organizationId: string, id: string, version: number,
  changes: Partial<Pick<UserRow, 'email' | 'first_name' | 'last_name' | 'description' | 'status' | 'rate_limit_tier'>> & { updated_at: string },
): Promise<boolean> {
  const result = await db.updateTable('users').set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('organization_id', '=', organizationId).where('id', '=', id).where('kind', '=', 'api').where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

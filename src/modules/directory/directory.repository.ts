import { sql, type Expression, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import { applicationsOfUsers, type ApplicationRef } from '../api-users/api-user.repository.js';

/** One row of the Administrators tool: a person or an API user. */
export interface DirectoryEntry {
  id: string;
  kind: 'admin' | 'api';
  username: string | null;
  email: string;
  firstName: string;
  lastName: string;
  description: string;
  status: 'enabled' | 'disabled' | 'invited';
  roleId: string;
  roleName: string;
  lastSignInAt: string | null;
  applications: ApplicationRef[];
  version: number;
  createdAt: string;
  updatedAt: string;
  sortKey: string;
}

export const DIRECTORY_SORTS = ['name', '-name', 'username', '-username', 'created_at', '-created_at'] as const;
export type DirectorySort = (typeof DIRECTORY_SORTS)[number];

export interface DirectoryQuery {
  organizationId: string;
  kind?: 'admin' | 'api' | undefined;
  q?: string | undefined;
  status?: 'enabled' | 'disabled' | 'invited' | undefined;
  roleId?: string | undefined;
  applicationKey?: string | undefined;
  sort: DirectorySort;
  /** The (sort key, id) of the last row of the previous page. */
  after?: [string, string] | undefined;
  limit: number;
}

/** Sort keys as SQL expressions, identical on SQLite and PostgreSQL. */
const SORT_KEYS = {
  name: sql<string>`case when trim(users.first_name || ' ' || users.last_name) = '' then lower(coalesce(users.username, users.email)) else lower(users.first_name || ' ' || users.last_name) end`,
  username: sql<string>`lower(coalesce(users.username, users.email))`,
  created_at: sql<string>`users.created_at`,
};

/** LIKE pattern for a substring search, with the user's own % and _ taken literally. */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Search and keyset pagination over people and API users. Substring search runs as LIKE over
 * lower-cased name, username, email and description.
 */
export async function searchDirectory(db: Executor, q: DirectoryQuery): Promise<DirectoryEntry[]> {
  const descending = q.sort.startsWith('-');
  const key = SORT_KEYS[q.sort.replace('-', '') as keyof typeof SORT_KEYS];
  let query = db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .selectAll('users')
    .select(['roles.name as role_name', key.as('sort_key')])
    .where('users.organization_id', '=', q.organizationId);
  if (q.kind) query = query.where('users.kind', '=', q.kind);
  if (q.status) query = query.where('users.status', '=', q.status);
  if (q.roleId) query = query.where('users.role_id', '=', q.roleId);
  if (q.applicationKey) {
    const appKey = q.applicationKey;
    query = query.where(({ exists, selectFrom }) => exists(
      selectFrom('user_applications')
        .innerJoin('applications', 'applications.id', 'user_applications.application_id')
        .select('user_applications.user_id')
        .whereRef('user_applications.user_id', '=', 'users.id')
        .where('applications.key', '=', appKey),
    ));
  }
  if (q.q) {
    const pattern = containsPattern(q.q);
    const like = (column: Expression<string>): Expression<SqlBool> => sql<SqlBool>`lower(${column}) like ${pattern} escape '\\'`;
    query = query.where((eb) => eb.or([
      like(sql<string>`users.first_name || ' ' || users.last_name`),
      like(sql<string>`coalesce(users.username, '')`),
      like(eb.ref('users.email')),
      like(eb.ref('users.description')),
    ]));
  }
  if (q.after) {
    const [value, id] = q.after;
    const op = descending ? sql.raw('<') : sql.raw('>');
    query = query.where(sql<SqlBool>`(${key} ${op} ${value} or (${key} = ${value} and users.id ${op} ${id}))`);
  }
  const direction = descending ? 'desc' : 'asc';
  const rows = await query.orderBy(key, direction).orderBy('users.id', direction).limit(q.limit).execute();
  const applications = await applicationsOfUsers(db, rows.filter((r) => r.kind === 'api').map((r) => r.id));
  return rows.map((row) => ({
    id: row.id, kind: row.kind, username: row.username, email: row.email, firstName: row.first_name, lastName: row.last_name,
    description: row.description, status: row.status, roleId: row.role_id, roleName: row.role_name, lastSignInAt: row.last_sign_in_at,
    applications: applications.get(row.id) ?? [], version: Number(row.version), createdAt: row.created_at, updatedAt: row.updated_at,
    sortKey: String(row.sort_key),
  }));
}

import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { UserTable } from '../../db/schema.js';

export type UserRow = Selectable<UserTable>;

/** A person who administers an organization (users.kind = 'admin'). */
export interface Administrator {
  id: string;
  organizationId: string;
  kind: 'admin' | 'api';
  email: string;
  firstName: string;
  lastName: string;
  roleId: string;
  roleName: string;
  status: UserRow['status'];
  lastSignInAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

type UserWithRole = UserRow & { role_name: string };

function toAdministrator(row: UserWithRole): Administrator {
  return {
    id: row.id,
    organizationId: row.organization_id,
    kind: row.kind,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    roleId: row.role_id,
    roleName: row.role_name,
    status: row.status,
    lastSignInAt: row.last_sign_in_at,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function selectUsers(db: Executor) {
  return db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').selectAll('users').select('roles.name as role_name');
}

export async function insertUser(db: Executor, row: Insertable<UserTable>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function findAdministratorById(db: Executor, organizationId: string, id: string): Promise<Administrator | null> {
  const row = await selectUsers(db)
    .where('users.organization_id', '=', organizationId)
    .where('users.id', '=', id)
    .where('users.kind', '=', 'admin')
    .executeTakeFirst();
  return row ? toAdministrator(row) : null;
}

/** Sign-in lookup; emails are stored lower-cased. */
export async function findAdministratorByEmail(db: Executor, email: string): Promise<Administrator | null> {
  const row = await selectUsers(db).where('users.email', '=', email).where('users.kind', '=', 'admin').executeTakeFirst();
  return row ? toAdministrator(row) : null;
}

export async function findOwner(db: Executor, organizationId: string): Promise<Administrator | null> {
  const row = await selectUsers(db).where('users.organization_id', '=', organizationId).where('users.role_id', '=', 'owner').executeTakeFirst();
  return row ? toAdministrator(row) : null;
}

export interface UserListQuery {
  organizationId: string;
  kind?: 'admin' | 'api' | undefined;
  /** Rows strictly after this (created_at, id) key. */
  after?: [string, string] | undefined;
  limit: number;
}

export async function listAdministrators(db: Executor, q: UserListQuery): Promise<Administrator[]> {
  let query = selectUsers(db).where('users.organization_id', '=', q.organizationId);
  if (q.kind) query = query.where('users.kind', '=', q.kind);
  if (q.after) {
    const [at, id] = q.after;
    query = query.where((eb) => eb.or([eb('users.created_at', '>', at), eb.and([eb('users.created_at', '=', at), eb('users.id', '>', id)])]));
  }
  const rows = await query.orderBy('users.created_at').orderBy('users.id').limit(q.limit).execute();
  return rows.map(toAdministrator);
}

export type UserChanges = Partial<Pick<UserRow, 'email' | 'first_name' | 'last_name' | 'role_id' | 'status'>> & { updated_at: string };

/** @returns false when the version moved or the row is gone */
export async function updateUser(db: Executor, organizationId: string, id: string, expectedVersion: number | null, changes: UserChanges): Promise<boolean> {
  let query = db
    .updateTable('users')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('organization_id', '=', organizationId)
    .where('id', '=', id);
  if (expectedVersion !== null) query = query.where('version', '=', expectedVersion);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordSignIn(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: at }).where('id', '=', id).execute();
}

/** @returns false when the version moved or the row is gone */
export async function deleteUser(db: Executor, organizationId: string, id: string, expectedVersion: number): Promise<boolean> {
  const result = await db
    .deleteFrom('users')
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function countUsersWithRole(db: Executor, roleId: string): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<string | number>().as('n')).where('role_id', '=', roleId).executeTakeFirstOrThrow();
  return Number(row.n);
}

import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { RoleTable } from '../../db/schema.js';

export type RoleRow = Selectable<RoleTable>;

export interface Role {
  id: string;
  organizationId: string | null;
  name: string;
  description: string;
  kind: RoleRow['kind'];
  assignableTo: RoleRow['assignable_to'];
  privileges: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

async function withPrivileges(db: Executor, rows: RoleRow[]): Promise<Role[]> {
  if (rows.length === 0) return [];
  const grants = await db.selectFrom('role_privileges').selectAll().where('role_id', 'in', rows.map((r) => r.id)).orderBy('privilege').execute();
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    assignableTo: row.assignable_to,
    privileges: grants.filter((g) => g.role_id === row.id).map((g) => g.privilege),
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

/** Built-in roles and the organization's own, built-ins first. */
export async function listRoles(db: Executor, organizationId: string): Promise<Role[]> {
  const rows = await db
    .selectFrom('roles')
    .selectAll()
    .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
    .orderBy('kind')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return withPrivileges(db, rows);
}

/** A role visible to the organization: built-in, or its own. */
export async function findRole(db: Executor, organizationId: string, id: string): Promise<Role | null> {
  const row = await db
    .selectFrom('roles')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
    .executeTakeFirst();
  return row ? ((await withPrivileges(db, [row]))[0] ?? null) : null;
}

export async function findRolePrivileges(db: Executor, roleId: string): Promise<string[]> {
  const rows = await db.selectFrom('role_privileges').select('privilege').where('role_id', '=', roleId).execute();
  return rows.map((r) => r.privilege);
}

export async function roleNameExists(db: Executor, organizationId: string, name: string, exceptId: string | null): Promise<boolean> {
  let query = db
    .selectFrom('roles')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]));
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertRole(db: Executor, row: Omit<RoleRow, 'version'>, privileges: string[]): Promise<void> {
  await db.insertInto('roles').values(row).execute();
  if (privileges.length > 0) await db.insertInto('role_privileges').values(privileges.map((privilege) => ({ role_id: row.id, privilege }))).execute();
}

/** @returns false when the version moved */
export async function updateRole(
  db: Executor,
  id: string,
  expectedVersion: number,
  changes: Partial<Pick<RoleRow, 'name' | 'description'>> & { updated_at: string },
  privileges: string[] | undefined,
): Promise<boolean> {
  const result = await db
    .updateTable('roles')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('kind', '=', 'custom')
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  if (privileges) {
    await db.deleteFrom('role_privileges').where('role_id', '=', id).execute();
    if (privileges.length > 0) await db.insertInto('role_privileges').values(privileges.map((privilege) => ({ role_id: id, privilege }))).execute();
  }
  return true;
}

export async function deleteRole(db: Executor, id: string, expectedVersion: number): Promise<boolean> {
  const result = await db.deleteFrom('roles').where('id', '=', id).where('kind', '=', 'custom').where('version', '=', expectedVersion).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

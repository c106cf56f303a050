import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OrganizationTable } from '../../db/schema.js';

export type OrganizationRow = Selectable<OrganizationTable>;

export interface Organization {
  id: string;
  accountNumber: string;
  name: string;
  timeZone: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    accountNumber: row.account_number,
    name: row.name,
    timeZone: row.time_zone,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** @example await insertOrganization(trx, { id, account_number, name, time_zone, ... }) */
export async function insertOrganization(db: Executor, row: Omit<OrganizationRow, 'version' | 'settings'>): Promise<void> {
  await db.insertInto('organizations').values({ ...row, settings: '{}' }).execute();
}

export async function findOrganizationById(db: Executor, id: string): Promise<Organization | null> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOrganization(row) : null;
}

export async function countOrganizations(db: Executor): Promise<number> {
  const row = await db.selectFrom('organizations').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listOrganizations(db: Executor): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toOrganization);
}

/**
 * Optimistic update: changes the row only if its version is still `expectedVersion`.
 * @returns the new row, or null when the version moved (someone else changed it)
 */
export async function updateOrganization(
  db: Executor,
  id: string,
  expectedVersion: number,
  changes: Partial<Pick<OrganizationRow, 'name' | 'time_zone'>> & { updated_at: string },
): Promise<Organization | null> {
  const row = await db
    .updateTable('organizations')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
  return row ? toOrganization(row) : null;
}

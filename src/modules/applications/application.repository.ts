import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ApplicationTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export type ApplicationRow = Selectable<ApplicationTable>;

/** An external application API users connect as (HttpApi, Salesforce, or the organization's own). */
export interface Application {
  id: string;
  organizationId: string;
  key: string;
  name: string;
  description: string;
  kind: ApplicationRow['kind'];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id, organizationId: row.organization_id, key: row.key, name: row.name, description: row.description,
    kind: row.kind, version: Number(row.version), createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/** Built into every organization; a Salesforce connection needs `salesforce`, HttpApi is for any other app. */
export const BUILT_IN_APPLICATIONS = [
  { key: 'httpapi', name: 'HttpApi', description: 'Any external application calling the HTTP API.' },
  { key: 'salesforce', name: 'Salesforce', description: 'The Salesforce app. An API user needs this application, not HttpApi, to connect from Salesforce.' },
] as const;

export async function insertBuiltInApplications(db: Executor, organizationId: string, at: Date): Promise<void> {
  await db.insertInto('applications').values(BUILT_IN_APPLICATIONS.map((app) => ({
    id: newId(at), organization_id: organizationId, key: app.key, name: app.name, description: app.description,
    kind: 'built_in' as const, created_at: at.toISOString(), updated_at: at.toISOString(),
  }))).execute();
}

export async function insertApplication(db: Executor, row: Omit<ApplicationRow, 'version'>): Promise<void> {
  await db.insertInto('applications').values(row).execute();
}

export async function listApplications(db: Executor, organizationId: string): Promise<Application[]> {
  const rows = await db.selectFrom('applications').selectAll().where('organization_id', '=', organizationId).orderBy('kind').orderBy('name').orderBy('id').execute();
  return rows.map(toApplication);
}

export async function findApplicationById(db: Executor, organizationId: string, id: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return row ? toApplication(row) : null;
}

export async function findApplicationByKey(db: Executor, organizationId: string, key: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('organization_id', '=', organizationId).where('key', '=', key).executeTakeFirst();
  return row ? toApplication(row) : null;
}

/** @returns false when the version moved */
export async function updateApplication(db: Executor, id: string, version: number, changes: Partial<Pick<ApplicationRow, 'name' | 'description'>> & { updated_at: string }): Promise<boolean> {
  const result = await db.updateTable('applications').set((eb) => ({ ...changes, version: eb('version', '+', 1) }))
    .where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteApplication(db: Executor, id: string, version: number): Promise<boolean> {
  const result = await db.deleteFrom('applications').where('id', '=', id).where('kind', '=', 'custom').where('version', '=', version).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function countApplicationUsers(db: Executor, applicationId: string): Promise<number> {
  const row = await db.selectFrom('user_applications').select((eb) => eb.fn.countAll<string | number>().as('n')).where('application_id', '=', applicationId).executeTakeFirstOrThrow();
  return Number(row.n);
}

import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001_create_core_tables.js';
import * as m0002 from './migrations/0002_create_api_user_tables.js';

/** Every migration, in order. Listed here so the compiled build needs no directory scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_create_core_tables': m0001,
  '0002_create_api_user_tables': m0002,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;

/**
 * Brings the schema to the latest version; safe to run from several instances at once (Kysely
 * takes a lock table / advisory lock).
 * @example await migrateToLatest(db);
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

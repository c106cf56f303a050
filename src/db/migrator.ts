import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001_create_core_tables.js';
import * as m0002 from './migrations/0002_create_api_user_tables.js';
import * as m0003 from './migrations/0003_add_credential_features.js';
import * as m0004 from './migrations/0004_create_api_user_rate_windows.js';
import * as m0005 from './migrations/0005_create_cache_invalidations.js';

/** Every migration, in order. Listed here so the compiled build needs no directory scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_create_core_tables': m0001,
  '0002_create_api_user_tables': m0002,
  '0003_add_credential_features': m0003,
  '0004_create_api_user_rate_windows': m0004,
  '0005_create_cache_invalidations': m0005,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;

/**
 * Brings the schema to the latest version; safe to run from several instances at once (Kysely
 * takes a lock table / advisory lock).
 * @example await migrateToLatest(db);
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // On PostgreSQL, name the schema: without it Kysely takes a kysely_migration table in *any*
  // schema of the database for ours, and never creates one in the schema we migrate.
  const migrationTableSchema = db.getExecutor().adapter instanceof PostgresAdapter
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

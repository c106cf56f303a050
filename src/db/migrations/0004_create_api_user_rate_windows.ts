import type { Kysely } from 'kysely';

/*
 * Frozen in time: never edit after it lands. The shared count of the API users' per-minute rate
 * limits on PostgreSQL: one row per user, tier and minute, to which every instance adds the
 * requests it counted (src/modules/api-auth/shared-rate-windows.ts). SQLite creates the table
 * too, so both engines have one schema, but never writes to it: one process owns that file and
 * counts in memory.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_user_rate_windows')
    // ISO 8601 UTC of the minute the window opens (seconds and milliseconds zero): every instance
    // computes the same value for a request from its wall clock.
    .addColumn('window_start', 'text', (c) => c.notNull())
    // No foreign key: a row lives two minutes at most, and deleting a user should not wait on
    // counters that every instance is updating.
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    // window_start first: the sweep of past minutes is a range of the primary key, and batches
    // sorted by this key take their row locks in one order on every instance (no deadlock).
    .addPrimaryKeyConstraint('api_user_rate_windows_pkey', ['window_start', 'user_id', 'tier'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_user_rate_windows').execute();
}

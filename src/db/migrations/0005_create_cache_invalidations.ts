import { PostgresAdapter, type Kysely } from 'kysely';

/*
 * Frozen in time: never edit after it lands. The verification cache's invalidations on SQLite,
 * so that a change made by another process on the same file (the CLI beside the server) reaches
 * the server's cache: the process that made a change appends one row after it commits, and the
 * serving process reads the rows it has not seen yet whenever PRAGMA data_version says another
 * connection committed (src/modules/api-auth/sqlite-invalidation-bus.ts). Rows live minutes.
 * PostgreSQL creates the table too, so both engines have one schema, but never writes to it:
 * LISTEN/NOTIFY carries its invalidations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('cache_invalidations')
    // Readers ask for the rows after the last id they saw, so ids must only ever grow. SQLite
    // AUTOINCREMENT never hands out an id again, not even after the newest rows are deleted (a
    // plain rowid would restart from the largest id left); and since writers take turns, a row
    // with a smaller id never commits after one with a larger id. PostgreSQL needs its own
    // spelling of a generated id, although it never inserts here.
    .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    // The same JSON text a PostgreSQL notification carries: `{"kind":"user","user_id":…,"origin":…}`
    // or `{"kind":"organization",…}`, so a reader of an older version clears its whole cache on
    // a kind it does not know.
    .addColumn('payload', 'text', (c) => c.notNull())
    // The writing process (random per start), so the server skips the rows it wrote itself.
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cache_invalidations').execute();
}

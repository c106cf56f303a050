import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * SQLite's `PRAGMA data_version` on the service's own connection: it changes when another
 * connection — another process on the same file — has committed since this connection last
 * asked, and never for this connection's own commits
 * (https://www.sqlite.org/pragma.html#pragma_data_version). A few microseconds: it compares a
 * counter in the WAL index, nothing is read from the tables. SQLite only.
 * @example if ((await readSqliteDataVersion(db)) !== seen) { … another process wrote … }
 */
export async function readSqliteDataVersion(db: Db): Promise<number> {
  const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(db);
  return Number(rows[0]!.data_version);
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;
/** What repositories take: the database or a transaction on it. */
export type Executor = Kysely<DB> | Transaction<DB>;

export interface Database {
  readonly db: Db;
  readonly engine: 'sqlite' | 'postgres';
  /** Answers when the database can serve a query (for /readyz). */
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: run every connection in this schema (tests isolate themselves this way). */
  schema?: string;
  poolSize?: number;
}

/**
 * Opens the configured engine. SQLite: WAL, synchronous=FULL (no lost commit on power loss),
 * foreign keys on, 5 s busy timeout. PostgreSQL: a pool of `pg` connections.
 * @example const database = openDatabase(config.database);
 */
export function openDatabase(target: Config['database'], options: DatabaseOptions = {}): Database {
  if (target.engine === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      db,
      engine: 'sqlite',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      destroy: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // When a connection dies (a server restart or failover, a proxy's idle timeout, a network
  // cut), pg emits 'error' on its client, and pg-pool on the pool when the client was idle. The
  // query running on it fails and reports the outage where it ran, and the pool drops the
  // connection (at once when idle, on release when checked out) and opens a new one for the next
  // query; but an 'error' event with no listener would end the process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'postgres',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    destroy: () => db.destroy(),
  };
}

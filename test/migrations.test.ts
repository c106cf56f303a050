import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileMigrationProvider, Migrator, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { LATEST_MIGRATION, migrateToLatest } from '../src/db/migrator.js';
import { postgresUrl, withSchemaLock } from './support/test-app.js';

const url = postgresUrl();

/** An empty database (no tables): SQLite in memory, or a schema of its own on PostgreSQL. */
async function emptyDatabase(): Promise<{ database: Database; schema: string | null; drop(): Promise<void> }> {
  if (!url) {
    const database = openDatabase({ engine: 'sqlite', file: ':memory:' });
    return { database, schema: null, drop: () => database.destroy() };
  }
  const schema = `t_${randomBytes(8).toString('hex')}`;
  await withSchemaLock(url, (client) => client.query(`create schema ${schema}`).then(() => undefined));
  const database = openDatabase({ engine: 'postgres', url }, { schema, poolSize: 2 });
  return {
    database, schema,
    drop: async () => {
      await database.destroy();
      await withSchemaLock(url, (client) => client.query(`drop schema ${schema} cascade`).then(() => undefined));
    },
  };
}

/** A migrator over the migration files themselves, which can stop at any of them and go down. */
function fileMigrator(db: Kysely<any>, schema: string | null): Migrator {
  const migrationFolder = path.join(import.meta.dirname, '../src/db/migrations');
  return new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }), ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** The tables of the test's own database (PostgreSQL's introspection sees every schema). */
const tables = async (db: Kysely<any>, schema: string | null) =>
  (await db.introspection.getTables()).filter((t) => schema === null || t.schema === schema).map((t) => t.name).sort();

describe(`migrations (${url ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('an empty database migrates to the latest; every migration goes down and up again', async () => {
    const { database, schema, drop } = await emptyDatabase();
    try {
      const db = database.db as Kysely<any>;
      const applied = await migrateToLatest(db);
      assert.equal(applied.results?.at(-1)?.migrationName, LATEST_MIGRATION);
      const latest = await tables(db, schema);
      assert.ok(latest.includes('api_user_rate_windows'), latest.join(', '));
      const migrator = fileMigrator(db, schema);
      for (;;) {
        const { error, results } = await migrator.migrateDown();
        if (error) throw error;
        if (!results?.length) break;
      }
      assert.deepEqual((await tables(db, schema)).filter((t) => !t.startsWith('kysely_')), [], 'every down() undoes its up()');
      await migrateToLatest(db);
      assert.deepEqual(await tables(db, schema), latest);
    } finally {
      await drop();
    }
  });

  it('a database with data from before 0004 migrates to the latest and keeps every row', async () => {
    const { database, schema, drop } = await emptyDatabase();
    try {
      const db = database.db as Kysely<any>;
      const migrator = fileMigrator(db, schema);
      const to0003 = await migrator.migrateTo('0003_add_credential_features');
      if (to0003.error) throw to0003.error;
      const at = '2026-03-02T15:00:00.000Z';
      await db.insertInto('organizations').values({ id: 'org-1', account_number: '952442891', name: 'MOVIUS INTERACTIVE CORP', time_zone: 'America/Chicago', created_at: at, updated_at: at }).execute();
      await db.insertInto('users').values({
        id: 'user-1', organization_id: 'org-1', kind: 'api', username: 'apiuser-123456789012@apiconnector.example', email: 'it@acme.example',
        first_name: 'Magento', last_name: 'Sync', role_id: 'api-user', status: 'enabled', rate_limit_tier: 'low', created_at: at, updated_at: at,
      }).execute();
      await db.insertInto('credentials').values({ id: 'cred-1', user_id: 'user-1', organization_id: 'org-1', kind: 'api_key', secret_hash: 'h1', hint: 'au_key_…abcd', created_at: at }).execute();
      await db.insertInto('rate_limits').values({ key: 'sign-in:it@acme.example', count: 3, reset_at: at }).execute();

      await migrateToLatest(db);
      assert.deepEqual(await db.selectFrom('users').select(['id', 'rate_limit_tier', 'status']).execute(), [{ id: 'user-1', rate_limit_tier: 'low', status: 'enabled' }]);
      assert.deepEqual(await db.selectFrom('credentials').select(['id', 'hint']).execute(), [{ id: 'cred-1', hint: 'au_key_…abcd' }]);
      assert.equal(Number((await db.selectFrom('rate_limits').select('count').executeTakeFirstOrThrow()).count), 3);
      assert.deepEqual(await db.selectFrom('api_user_rate_windows').selectAll().execute(), [], 'the shared rate-limit windows start empty');
      // The new table takes the sync's upsert on both engines.
      await db.insertInto('api_user_rate_windows').values({ window_start: at, user_id: 'user-1', tier: 'low', count: 2 }).execute();
      await assert.rejects(db.insertInto('api_user_rate_windows').values({ window_start: at, user_id: 'user-1', tier: 'low', count: 1 }).execute(), 'one row per window, user and tier');
    } finally {
      await drop();
    }
  });
});

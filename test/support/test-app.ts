import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { buildApp, type BuildOptions } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { LocalInvalidationBus, PostgresInvalidationBus } from '../../src/modules/api-auth/invalidation-bus.js';
import { VerificationCache } from '../../src/modules/api-auth/verification-cache.js';

/** The PostgreSQL URL when the suite runs on PostgreSQL (CI sets DATABASE_URL), else null. */
export function postgresUrl(): string | null {
  const url = process.env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : null;
}

export interface TestDatabase {
  database: Database;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test: SQLite in memory, or on PostgreSQL a schema of its
 * own (so test files can run in parallel against one server) dropped afterwards.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = postgresUrl();
  if (!url) {
    const database = openDatabase({ engine: 'sqlite', file: ':memory:' });
    await migrateToLatest(database.db);
    return { database, drop: () => database.destroy() };
  }
  const schema = `t_${randomBytes(8).toString('hex')}`;
  let database!: Database;
  await withSchemaLock(url, async (client) => {
    await client.query(`create schema ${schema}`);
    database = openDatabase({ engine: 'postgres', url }, { schema, poolSize: 5 });
    await migrateToLatest(database.db);
  });
  return {
    database,
    drop: async () => {
      await database.destroy();
      await withSchemaLock(url, (client) => client.query(`drop schema ${schema} cascade`).then(() => undefined));
    },
  };
}

/**
 * Test files run in parallel, each in its own schema. Kysely's migrator looks tables up through
 * the catalog of every schema, and a schema dropped by another file at that moment makes the
 * lookup fail; creating+migrating and dropping therefore take turns under one advisory lock.
 */
export async function withSchemaLock(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(736209)');
    await work(client);
  } finally {
    await client.query('select pg_advisory_unlock(736209)').catch(() => undefined);
    await client.end();
  }
}

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * The real application on a real, migrated database, exercised through `app.inject()`.
 * @example const t = await startTestApp(); after(() => t.close());
 */
export async function startTestApp(options: { clock?: Clock; env?: Record<string, string>; webRoot?: string | null; logger?: BuildOptions['logger'] } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apiusers-test-'));
  const config: Config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent', ...options.env });
  const { database, drop } = await createTestDatabase();
  const verificationCache = new VerificationCache();
  const url = postgresUrl();
  const invalidation = database.engine === 'postgres' && url
    ? new PostgresInvalidationBus({ db: database.db, url, cache: verificationCache })
    : new LocalInvalidationBus(verificationCache);
  await invalidation.start();
  const deps: AppDeps = {
    config, database, db: database.db, clock: options.clock ?? systemClock, secretKey: Buffer.from(config.secretKey!, 'hex'),
    verificationCache, invalidation,
  };
  const app = await buildApp(deps, { logger: options.logger ?? false, webRoot: options.webRoot });
  return {
    app,
    deps,
    close: async () => {
      await app.close();
      await invalidation.stop();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

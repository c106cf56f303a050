import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { buildApp } from '../../src/http/app.js';
import { systemClock } from '../../src/lib/clock.js';
import { PostgresInvalidationBus } from '../../src/modules/api-auth/invalidation-bus.js';
import { VerificationCache, type Invalidation } from '../../src/modules/api-auth/verification-cache.js';
import { withSchemaLock, type TestApp } from './test-app.js';

export interface Instance extends TestApp {
  bus: PostgresInvalidationBus;
}

export interface TwoInstances {
  one: Instance;
  two: Instance;
  /** The schema both instances use (one deployment). */
  schema: string;
  /** A connection of its own, for what a test does to the server (pg_terminate_backend, NOTIFY). */
  admin: pg.Client;
  close(): Promise<void>;
}

/**
 * Two service instances as a deployment runs them: one schema, one secret, a pool, a cache and a
 * listening bus each. Only instance one is migrated; instance two finds the tables there.
 * @example const { one, two, close } = await startTwoInstances(postgresUrl()!);
 */
export async function startTwoInstances(url: string): Promise<TwoInstances> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dataDir = mkdtempSync(join(tmpdir(), 'apiusers-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' });
  const start = async (migrate: boolean): Promise<Instance> => {
    const database = openDatabase({ engine: 'postgres', url }, { schema, poolSize: 3 });
    if (migrate) await migrateToLatest(database.db);
    const verificationCache = new VerificationCache();
    const bus = new PostgresInvalidationBus({ db: database.db, url, cache: verificationCache, initialBackoffMs: 50 });
    await bus.start();
    const deps = {
      config, database, db: database.db, clock: systemClock, secretKey: Buffer.from(config.secretKey!, 'hex'),
      verificationCache, invalidation: bus,
    };
    const app = await buildApp(deps, { logger: false });
    return {
      app, deps, bus,
      close: async () => {
        await app.close();
        await bus.stop();
        await database.destroy();
      },
    };
  };
  let one!: Instance;
  await withSchemaLock(url, async (client) => {
    await client.query(`create schema ${schema}`);
    one = await start(true);
  });
  const two = await start(false);
  return {
    one, two, schema, admin,
    close: async () => {
      await one.close();
      await two.close();
      await withSchemaLock(url, (client) => client.query(`drop schema ${schema} cascade`).then(() => undefined));
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 10 ms until it holds; fails the test after `ms`. */
export async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/**
 * Resolves once `cache` drops the entries of `expected` (or everything); rejects after `ms`.
 * Call it before making the change, await it after: in one process the drop has happened when
 * the change's response arrives, on another instance when its notification does.
 * @example const dropped = dropOf(two.deps.verificationCache, { kind: 'user', userId }); await patch(); await dropped;
 */
export function dropOf(cache: VerificationCache, expected: Invalidation, ms = 2_000): Promise<void> {
  const id = (change: Invalidation) => (change.kind === 'user' ? `user ${change.userId}` : `organization ${change.organizationId}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the cache did not drop ${id(expected)} within ${ms} ms`));
    }, ms);
    const stop = cache.onDrop((dropped) => {
      if (dropped !== null && id(dropped) !== id(expected)) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

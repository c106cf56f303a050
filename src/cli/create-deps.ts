import type { Config } from '../config/config.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import type { AppDeps } from '../http/deps.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { LocalInvalidationBus, PostgresInvalidationBus, type InvalidationBus } from '../modules/api-auth/invalidation-bus.js';
import { SqliteInvalidationBus } from '../modules/api-auth/sqlite-invalidation-bus.js';
import { VerificationCache } from '../modules/api-auth/verification-cache.js';

/**
 * The composition root: opens the database, brings its schema up to date, loads the server
 * secret and starts hearing other instances' (or, on a SQLite file, other processes') cache
 * invalidations. Everything else receives what it needs from here.
 * @example const deps = await createDeps(loadConfig(process.env));
 */
export async function createDeps(config: Config, options: { clock?: Clock; migrate?: boolean } = {}): Promise<AppDeps & { secretKeyCreated: boolean }> {
  const opened = openDatabase(config.database);
  const verificationCache = new VerificationCache();
  const invalidation = createInvalidationBus(config, opened.db, verificationCache);
  // Every command ends with `database.destroy()`: the listening connection closes with the pool,
  // or it would keep the process alive; the SQLite poll stops before its connection closes.
  const database: Database = {
    ...opened,
    destroy: async () => {
      await invalidation.stop();
      await opened.destroy();
    },
  };
  try {
    if (options.migrate ?? true) await migrateToLatest(database.db);
    const { key, created } = resolveSecretKey(config);
    await invalidation.start();
    return {
      config, database, db: database.db, clock: options.clock ?? systemClock, secretKey: key, secretKeyCreated: created,
      verificationCache, invalidation,
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

/**
 * PostgreSQL: LISTEN/NOTIFY between instances. A SQLite file: a table of invalidations that a
 * CLI command writes after its change and the server polls, so the server hears the CLI. SQLite
 * in memory: no other process can open it.
 */
function createInvalidationBus(config: Config, db: Database['db'], cache: VerificationCache): InvalidationBus {
  const target = config.database;
  if (target.engine === 'postgres') return new PostgresInvalidationBus({ db, url: target.url, cache, onError: reportListenerError });
  if (target.file === ':memory:') return new LocalInvalidationBus(cache);
  return new SqliteInvalidationBus({ db, cache, pollIntervalMs: config.invalidationPollMs, onError: reportSqliteInvalidationError });
}

/** A failed poll is retried at the next interval (clearing the cache meanwhile); operators still want to know. */
function reportSqliteInvalidationError(error: unknown, during: 'record' | 'poll'): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(during === 'record'
    ? `apiusers: cache invalidation: could not record the change for the other processes on the database (${reason}); they drop its entries when these expire (60 s)\n`
    : `apiusers: cache invalidation: could not read the other processes' changes (${reason}); local verification cache cleared, retrying\n`);
}

/** The bus reconnects by itself (clearing the cache meanwhile); operators still want to know. */
function reportListenerError(error: unknown, during: 'listener' | 'notify'): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(during === 'notify'
    ? `apiusers: cache invalidation: could not notify the other instances (${reason}); they drop the change's entries when these expire (60 s)\n`
    : `apiusers: cache invalidation listener: ${reason}; reconnecting, local verification cache cleared\n`);
}

import type { Config } from '../config/config.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import type { AppDeps } from '../http/deps.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { LocalInvalidationBus, PostgresInvalidationBus, type InvalidationBus } from '../modules/api-auth/invalidation-bus.js';
import { VerificationCache } from '../modules/api-auth/verification-cache.js';

/**
 * The composition root: opens the database, brings its schema up to date, loads the server
 * secret and starts listening for other instances' cache invalidations. Everything else receives
 * what it needs from here.
 * @example const deps = await createDeps(loadConfig(process.env));
 */
export async function createDeps(config: Config, options: { clock?: Clock; migrate?: boolean } = {}): Promise<AppDeps & { secretKeyCreated: boolean }> {
  const opened = openDatabase(config.database);
  const verificationCache = new VerificationCache();
  const invalidation: InvalidationBus = config.database.engine === 'postgres'
    ? new PostgresInvalidationBus({ db: opened.db, url: config.database.url, cache: verificationCache, onError: reportListenerError })
    : new LocalInvalidationBus(verificationCache);
  // Every command ends with `database.destroy()`: the listening connection closes with the pool,
  // or it would keep the process alive.
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

/** The bus reconnects by itself (clearing the cache meanwhile); operators still want to know. */
function reportListenerError(error: unknown, during: 'listener' | 'notify'): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(during === 'notify'
    ? `apiusers: cache invalidation: could not notify the other instances (${reason}); they drop the change's entries when these expire (60 s)\n`
    : `apiusers: cache invalidation listener: ${reason}; reconnecting, local verification cache cleared\n`);
}

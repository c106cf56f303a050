import type { Config } from '../config/config.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import type { AppDeps } from '../http/deps.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { VerificationCache } from '../modules/api-auth/verification-cache.js';

/**
 * The composition root: opens the database, brings its schema up to date and loads the server
 * secret. Everything else receives what it needs from here.
 * @example const deps = await createDeps(loadConfig(process.env));
 */
export async function createDeps(config: Config, options: { clock?: Clock; migrate?: boolean } = {}): Promise<AppDeps & { secretKeyCreated: boolean }> {
  const database = openDatabase(config.database);
  try {
    if (options.migrate ?? true) await migrateToLatest(database.db);
    const { key, created } = resolveSecretKey(config);
    return {
      config, database, db: database.db, clock: options.clock ?? systemClock, secretKey: key, secretKeyCreated: created,
      verificationCache: new VerificationCache(),
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

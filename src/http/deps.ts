import type { Config } from '../config/config.js';
import type { Database, Db } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import type { InvalidationBus } from '../modules/api-auth/invalidation-bus.js';
import type { VerificationCache } from '../modules/api-auth/verification-cache.js';

/**
 * Everything the service is built from, made once in `createDeps` (or by a test). Each module
 * types only the part it uses: `Pick<AppDeps, 'db' | 'clock'>`.
 */
export interface AppDeps {
  readonly config: Config;
  readonly database: Database;
  readonly db: Db;
  readonly clock: Clock;
  /** The server secret keying every HMAC (tokens, sessions, CSRF). Never logged. */
  readonly secretKey: Buffer;
  /** Verified credentials of this process; `invalidation` drops a user's or an organization's entries when they change. */
  readonly verificationCache: VerificationCache;
  /**
   * Drops the cached verifications a change affects here and in every other process: other
   * instances through PostgreSQL LISTEN/NOTIFY, or on a SQLite file the processes beside this one
   * (the CLI) through its cache_invalidations table. Services call `userChanged` or
   * `organizationChanged` after the change commits, outside its transaction.
   */
  readonly invalidation: InvalidationBus;
}

import type { Db } from '../../db/database.js';
import { readSqliteDataVersion } from '../../db/sqlite-data-version.js';
import { systemClock, toTimestamp, type Clock } from '../../lib/clock.js';
import { randomToken } from '../../lib/random.js';
import {
  deleteCacheInvalidationsBefore, findCacheInvalidationsAfter, findLatestCacheInvalidationId, insertCacheInvalidation,
} from './cache-invalidation.repository.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { applyInvalidation, invalidationPayload, parseInvalidation } from './invalidation-payload.js';
import type { Invalidation, VerificationCache } from './verification-cache.js';

export interface SqliteInvalidationBusOptions {
  /** The service's database: its one connection both writes the rows and polls. */
  db: Db;
  cache: VerificationCache;
  /** INVALIDATION_POLL_MS: how often `PRAGMA data_version` is read. */
  pollIntervalMs?: number;
  /**
   * How long a row is kept: far longer than a poll interval and than the cache TTL (60 s), so a
   * process that falls behind still finds the rows, or no longer holds entries they name.
   */
  retentionMs?: number;
  /** Stamps rows and decides when they are old (real time by default). */
  clock?: Clock;
  /**
   * An invalidation that could not be recorded for the other processes ('record'), or a poll
   * that failed ('poll': reported once until a poll succeeds again; the cache is cleared).
   */
  onError?: (error: unknown, during: 'record' | 'poll') => void;
}

const DEFAULT_POLL_MS = 250;
const DEFAULT_RETENTION_MS = 10 * 60_000;
/** Each process deletes old rows at most this often, in the same transaction as a row it adds. */
const CLEANUP_EVERY_MS = 60_000;

/**
 * SQLite: every process on the database file (the server, a CLI command run beside it, a second
 * server) appends each invalidation it announces to `cache_invalidations` after the change
 * commits, and clears its own cache at once. A started bus polls `PRAGMA data_version` on the
 * service's own connection: it moves only when another connection committed, so its own writes
 * and a quiet database cost one pragma per interval and no read; when it moves, the rows after
 * the last one seen are read and applied (another process's rows only; an unreadable or unknown
 * kind clears everything). A change made by the CLI therefore reaches the server's cache within
 * one interval, with nothing added to a request. Call after the commit and outside any
 * transaction: an open transaction holds the service's one SQLite connection until it ends, so
 * the row written from here would wait for it for ever.
 * @example const bus = new SqliteInvalidationBus({ db, cache }); await bus.start();
 */
export class SqliteInvalidationBus implements InvalidationBus {
  /** Marks this process's rows, so it does not apply its own changes twice. */
  readonly origin = randomToken(9);
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private dataVersion: number | null = null;
  private lastId = 0;
  private lastCleanupAt = Number.NEGATIVE_INFINITY;
  private failing = false;
  private polls = 0;
  private reads = 0;

  constructor(private readonly options: SqliteInvalidationBusOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Polls made (each one `PRAGMA data_version`), for tests and diagnostics. */
  get pollCount(): number {
    return this.polls;
  }

  /** Polls that read `cache_invalidations` because another connection had committed. */
  get readCount(): number {
    return this.reads;
  }

  async userChanged(userId: string): Promise<void> {
    await this.publish({ kind: 'user', userId });
  }

  async organizationChanged(organizationId: string): Promise<void> {
    await this.publish({ kind: 'organization', organizationId });
  }

  /**
   * Starts from the newest row: what was announced before is older than anything this cache
   * holds, which is emptied here. data_version is read first, so a row committed between the
   * two reads moves it again and the first poll reads that row.
   */
  async start(): Promise<void> {
    if (this.timer) return;
    this.dataVersion = await readSqliteDataVersion(this.options.db);
    this.lastId = await findLatestCacheInvalidationId(this.options.db);
    this.options.cache.clear();
    this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs ?? DEFAULT_POLL_MS);
    // A CLI command starts the bus too (to announce its changes); polling must not keep it alive.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /**
   * One look for the other processes' invalidations (the timer's; a test may call it). Never
   * rejects; a poll already running is joined rather than doubled.
   */
  poll(): Promise<void> {
    this.polling ??= this.look().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async publish(change: Invalidation): Promise<void> {
    applyInvalidation(this.options.cache, change);
    const now = this.clock.now();
    const cleanup = now.getTime() - this.lastCleanupAt >= CLEANUP_EVERY_MS;
    try {
      // One transaction, so one commit (one fsync) for the row and the occasional cleanup.
      await this.options.db.transaction().execute(async (trx) => {
        await insertCacheInvalidation(trx, { payload: invalidationPayload(change, this.origin), origin: this.origin, createdAt: toTimestamp(now) });
        if (cleanup) await deleteCacheInvalidationsBefore(trx, toTimestamp(new Date(now.getTime() - (this.options.retentionMs ?? DEFAULT_RETENTION_MS))));
      });
      if (cleanup) this.lastCleanupAt = now.getTime();
    } catch (error) {
      // The change is committed; failing the request now would only confuse the caller. Other
      // processes drop the entries when they expire (at most the cache TTL).
      this.options.onError?.(error, 'record');
    }
  }

  private async look(): Promise<void> {
    this.polls++;
    const { db, cache } = this.options;
    try {
      const version = await readSqliteDataVersion(db);
      if (version === this.dataVersion) return;
      this.reads++;
      const rows = await findCacheInvalidationsAfter(db, this.lastId);
      // Ids follow each other (AUTOINCREMENT, the newest row never deleted): a gap means rows
      // deleted before this process read them (it fell behind by more than the retention), so
      // what they named is unknown.
      if (rows.length > 0 && rows[0]!.id !== this.lastId + 1) cache.clear();
      else for (const row of rows) if (row.origin !== this.origin) applyInvalidation(cache, parseInvalidation(row.payload));
      if (rows.length > 0) this.lastId = rows.at(-1)!.id;
      // Only now: a failed read leaves data_version unseen, so the next poll reads again.
      this.dataVersion = version;
      this.failing = false;
    } catch (error) {
      // Whatever was announced meanwhile is unknown: correctness over hit rate, until a poll succeeds.
      cache.clear();
      if (!this.failing) this.options.onError?.(error, 'poll');
      this.failing = true;
    }
  }
}

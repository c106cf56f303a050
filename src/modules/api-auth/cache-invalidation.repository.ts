import type { Executor } from '../../db/database.js';

/** One invalidation another process announced (SQLite): the payload names the user or organization. */
export interface CacheInvalidationRow {
  id: number;
  /** JSON as in a PostgreSQL notification (invalidation-payload.ts). */
  payload: string;
  /** The process that wrote it. */
  origin: string;
}

/**
 * Appends an invalidation for the other processes on the database; its id is larger than every
 * id before it.
 * @example await insertCacheInvalidation(db, { payload, origin, createdAt: '2026-03-02T15:04:05.000Z' });
 */
export async function insertCacheInvalidation(db: Executor, row: { payload: string; origin: string; createdAt: string }): Promise<void> {
  await db.insertInto('cache_invalidations').values({ payload: row.payload, origin: row.origin, created_at: row.createdAt }).execute();
}

/**
 * The invalidations after `id`, oldest first.
 * @example const rows = await findCacheInvalidationsAfter(db, lastSeenId);
 */
export async function findCacheInvalidationsAfter(db: Executor, id: number): Promise<CacheInvalidationRow[]> {
  const rows = await db.selectFrom('cache_invalidations').select(['id', 'payload', 'origin']).where('id', '>', id).orderBy('id').execute();
  return rows.map((row) => ({ id: Number(row.id), payload: row.payload, origin: row.origin }));
}

/**
 * The newest invalidation's id, 0 when there is none: where a reader that starts now begins.
 * @example let lastSeenId = await findLatestCacheInvalidationId(db);
 */
export async function findLatestCacheInvalidationId(db: Executor): Promise<number> {
  const row = await db.selectFrom('cache_invalidations').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

/**
 * Deletes the invalidations written before `createdAt`, except the newest one: a reader starting
 * later takes the newest id as its starting point, and the row after it then follows it
 * directly, so a gap in the ids always means rows that a reader never saw.
 * @example await deleteCacheInvalidationsBefore(db, '2026-03-02T14:54:05.000Z');
 */
export async function deleteCacheInvalidationsBefore(db: Executor, createdAt: string): Promise<number> {
  const result = await db.deleteFrom('cache_invalidations')
    .where('created_at', '<', createdAt)
    .where('id', '<', (eb) => eb.selectFrom('cache_invalidations').select((inner) => inner.fn.max('id').as('newest')))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

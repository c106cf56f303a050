import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

/** Requests counted in one API user's window: sent as an increment, answered as the total. */
export interface RateWindowCount {
  /** ISO 8601 UTC of the minute the window opens. */
  windowStart: string;
  userId: string;
  tier: string;
  count: number;
}

/**
 * Adds each window's increment to its shared row (created at the first increment) in one
 * statement, and answers each row's total over every instance. Each key at most once per call:
 * PostgreSQL refuses a statement that updates one row twice. Callers send keys in primary-key
 * order, so concurrent batches lock rows in one order and cannot deadlock.
 * @example const totals = await addRateWindowCounts(db, [{ windowStart: '2026-03-02T15:04:00.000Z', userId, tier: 'low', count: 3 }]);
 */
export async function addRateWindowCounts(db: Executor, increments: readonly RateWindowCount[]): Promise<RateWindowCount[]> {
  if (increments.length === 0) return [];
  const rows = await db
    .insertInto('api_user_rate_windows')
    .values(increments.map((i) => ({ window_start: i.windowStart, user_id: i.userId, tier: i.tier, count: i.count })))
    .onConflict((oc) => oc.columns(['window_start', 'user_id', 'tier']).doUpdateSet({
      count: sql<number>`${sql.ref('api_user_rate_windows.count')} + ${sql.ref('excluded.count')}`,
    }))
    .returning(['window_start', 'user_id', 'tier', 'count'])
    .execute();
  return rows.map((row) => ({ windowStart: row.window_start, userId: row.user_id, tier: row.tier, count: Number(row.count) }));
}

/**
 * Deletes the windows that opened before `windowStart`: past minutes decide nothing.
 * @example await deleteRateWindowsBefore(db, '2026-03-02T15:03:00.000Z');
 */
export async function deleteRateWindowsBefore(db: Executor, windowStart: string): Promise<number> {
  const result = await db.deleteFrom('api_user_rate_windows').where('window_start', '<', windowStart).executeTakeFirst();
  return Number(result.numDeletedRows);
}

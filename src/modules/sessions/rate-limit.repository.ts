import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

/**
 * A fixed-window counter per key, in the database so every instance sees the same count.
 * One atomic upsert: a new window starts when the old one has passed.
 * @returns the count in the current window and when it resets
 */
export async function incrementCounter(db: Executor, key: string, now: string, resetAt: string): Promise<{ count: number; resetAt: string }> {
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1, reset_at: resetAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end`,
        reset_at: sql<string>`case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), resetAt: row.reset_at };
}

export async function readCounter(db: Executor, key: string, now: string): Promise<{ count: number; resetAt: string } | null> {
  const row = await db.selectFrom('rate_limits').select(['count', 'reset_at']).where('key', '=', key).where('reset_at', '>', now).executeTakeFirst();
  return row ? { count: Number(row.count), resetAt: row.reset_at } : null;
}

export async function clearCounter(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

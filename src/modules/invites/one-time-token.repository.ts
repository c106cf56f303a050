import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OneTimeTokenTable } from '../../db/schema.js';

export type OneTimeTokenRow = Selectable<OneTimeTokenTable>;

export async function insertOneTimeToken(db: Executor, row: OneTimeTokenRow): Promise<void> {
  await db.insertInto('one_time_tokens').values(row).execute();
}

/** An unused, unexpired token of the kind, by its HMAC. */
export async function findUsableToken(db: Executor, kind: OneTimeTokenRow['kind'], tokenHash: string, now: string): Promise<OneTimeTokenRow | null> {
  const row = await db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('kind', '=', kind)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Marks the token used only if nobody did first: the conditional update is the lock, so two
 * concurrent uses of one link cannot both succeed.
 */
export async function consumeToken(db: Executor, id: string, now: string): Promise<boolean> {
  const result = await db.updateTable('one_time_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Uses up every open token of a kind; returns the ids it consumed. */
export async function consumeAllOfKind(db: Executor, kind: OneTimeTokenRow['kind'], now: string): Promise<string[]> {
  const rows = await db.updateTable('one_time_tokens').set({ used_at: now }).where('kind', '=', kind).where('used_at', 'is', null).returning('id').execute();
  return rows.map((r) => r.id);
}

/** Voids the open tokens of a kind for a user (a new invite replaces the old). */
export async function voidUserTokens(db: Executor, userId: string, kind: OneTimeTokenRow['kind'], now: string): Promise<void> {
  await db.updateTable('one_time_tokens').set({ used_at: now }).where('user_id', '=', userId).where('kind', '=', kind).where('used_at', 'is', null).execute();
}

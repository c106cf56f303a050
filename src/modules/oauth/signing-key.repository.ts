import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { SigningKeyTable } from '../../db/schema.js';

export type SigningKeyRow = Selectable<SigningKeyTable>;

export async function insertSigningKey(db: Executor, row: Insertable<SigningKeyTable>): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

/** The key that signs: the newest active one (two instances racing at first start may both add one). */
export async function findNewestActiveSigningKey(db: Executor): Promise<SigningKeyRow | null> {
  const row = await db.selectFrom('signing_keys').selectAll().where('status', '=', 'active')
    .orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  return row ?? null;
}

/** Keys whose signatures can still be valid: active, or retired but not past remove_after. */
export async function listPublishedSigningKeys(db: Executor, now: string) {
  return db.selectFrom('signing_keys').select(['id', 'algorithm', 'public_jwk', 'status', 'created_at', 'retired_at', 'remove_after'])
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('remove_after', '>', now)]))
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/** Every key, newest first, without private material (for `apiusers signing-keys list`). */
export async function listSigningKeys(db: Executor) {
  return db.selectFrom('signing_keys').select(['id', 'algorithm', 'status', 'created_at', 'retired_at', 'remove_after'])
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/**
 * Retires active keys: `only` names the one key expected to be active (a compare-and-set, so two
 * instances rotating at once retire it once); `keep` spares one key; `olderThan` limits it to keys
 * that sort before that one (newest-first order), so the newest key is never retired by anyone.
 * @returns how many keys were retired
 */
export async function retireSigningKeys(
  db: Executor, change: { at: string; removeAfter: string; only?: string; keep?: string; olderThan?: Pick<SigningKeyRow, 'id' | 'created_at'> },
): Promise<number> {
  let query = db.updateTable('signing_keys').set({ status: 'retired', retired_at: change.at, remove_after: change.removeAfter }).where('status', '=', 'active');
  if (change.only) query = query.where('id', '=', change.only);
  if (change.keep) query = query.where('id', '!=', change.keep);
  const pivot = change.olderThan;
  if (pivot) query = query.where((eb) => eb.or([eb('created_at', '<', pivot.created_at), eb.and([eb('created_at', '=', pivot.created_at), eb('id', '<', pivot.id)])]));
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

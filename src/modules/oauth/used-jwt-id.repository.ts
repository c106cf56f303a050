import type { Insertable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { UsedJwtIdTable } from '../../db/schema.js';

/** @returns false when the jti is already recorded (a replayed assertion, a token revoked twice) */
export async function recordJwtId(db: Executor, row: Insertable<UsedJwtIdTable>): Promise<boolean> {
  try {
    await db.insertInto('used_jwt_ids').values(row).execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function isAccessTokenRevoked(db: Executor, jti: string): Promise<boolean> {
  const row = await db.selectFrom('used_jwt_ids').select('jti').where('jti', '=', jti).where('purpose', '=', 'revoked_access_token').executeTakeFirst();
  return row !== undefined;
}

/** Revoked access tokens that have not expired yet: what a process loads into memory once. */
export async function listRevokedAccessTokens(db: Executor, now: string) {
  return db.selectFrom('used_jwt_ids').select(['jti', 'expires_at']).where('purpose', '=', 'revoked_access_token').where('expires_at', '>', now).execute();
}

/** Past their expiry a jti cannot be replayed or used: the token or assertion is refused anyway. */
export async function deleteExpiredJwtIds(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('used_jwt_ids').where('expires_at', '<=', now).execute();
}

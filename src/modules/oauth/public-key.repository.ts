import type { JWK } from 'jose';
import type { Executor } from '../../db/database.js';

/** A public key registered on an API user for private_key_jwt; it holds no secret. */
export interface PublicKey {
  id: string;
  userId: string;
  name: string;
  /** The JWK kid, or the thumbprint when the key had none. */
  keyId: string;
  /** The start of the RFC 7638 thumbprint. */
  hint: string;
  jwk: JWK;
  lastUsedAt: string | null;
  createdBy: string | null;
  createdAt: string;
}

const COLUMNS = ['id', 'user_id', 'name', 'key_id', 'hint', 'public_jwk', 'last_used_at', 'created_by', 'created_at'] as const;

function toPublicKey(row: { id: string; user_id: string; name: string; key_id: string | null; hint: string; public_jwk: string | null; last_used_at: string | null; created_by: string | null; created_at: string }): PublicKey {
  return {
    id: row.id, userId: row.user_id, name: row.name, keyId: row.key_id ?? '', hint: row.hint, jwk: JSON.parse(row.public_jwk ?? '{}') as JWK,
    lastUsedAt: row.last_used_at, createdBy: row.created_by, createdAt: row.created_at,
  };
}

export async function listPublicKeys(db: Executor, userId: string): Promise<PublicKey[]> {
  const rows = await db.selectFrom('credentials').select(COLUMNS).where('user_id', '=', userId).where('kind', '=', 'public_key').where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toPublicKey);
}

export async function findPublicKeysByIds(db: Executor, userId: string, ids: string[]): Promise<PublicKey[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('credentials').select(COLUMNS).where('user_id', '=', userId).where('kind', '=', 'public_key').where('id', 'in', ids)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toPublicKey);
}

export async function countPublicKeys(db: Executor, userId: string): Promise<number> {
  const row = await db.selectFrom('credentials').select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('user_id', '=', userId).where('kind', '=', 'public_key').where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the user already has this key (by the keyed hash of its thumbprint). */
export async function findPublicKeyIdByHash(db: Executor, secretHash: string): Promise<string | null> {
  const row = await db.selectFrom('credentials').select('id').where('secret_hash', '=', secretHash).where('kind', '=', 'public_key').executeTakeFirst();
  return row?.id ?? null;
}

/**
 * A public key holds no secret, so removing it deletes the row (the audit log keeps its
 * thumbprint): the same key can be registered again later.
 * @returns false when the user has no such key
 */
export async function deletePublicKey(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('credentials').where('id', '=', id).where('user_id', '=', userId).where('kind', '=', 'public_key').executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The keys a client assertion may be signed with: those of the user, with this kid when it names one. */
export async function listAssertionKeys(db: Executor, userId: string, now: string, kid: string | undefined) {
  let query = db.selectFrom('credentials').select(['id', 'public_jwk']).where('user_id', '=', userId).where('kind', '=', 'public_key')
    .where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if (kid !== undefined) query = query.where('key_id', '=', kid);
  return query.orderBy('created_at', 'desc').limit(20).execute();
}

export async function recordPublicKeyUse(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('credentials').set({ last_used_at: at }).where('id', '=', id).execute();
}

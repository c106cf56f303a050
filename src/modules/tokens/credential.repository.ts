import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { CredentialTable } from '../../db/schema.js';

export type CredentialRow = Selectable<CredentialTable>;

/** A credential as it may be shown: never the hash. */
export interface CredentialInfo {
  id: string;
  userId: string;
  kind: CredentialRow['kind'];
  name: string;
  hint: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
  createdAt: string;
}

function toCredentialInfo(row: Pick<CredentialRow, (typeof PUBLIC_COLUMNS)[number]>): CredentialInfo {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    name: row.name,
    hint: row.hint,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    lastUsedUserAgent: row.last_used_user_agent,
    createdAt: row.created_at,
  };
}

const PUBLIC_COLUMNS = [
  'id', 'user_id', 'organization_id', 'kind', 'hint', 'name', 'expires_at', 'revoked_at',
  'last_used_at', 'last_used_ip', 'last_used_user_agent', 'created_by', 'created_at',
] as const;

export async function insertCredential(db: Executor, row: Insertable<CredentialTable>): Promise<void> {
  await db.insertInto('credentials').values(row).execute();
}

/**
 * The privileged read: the only function that returns a stored password hash, for sign-in.
 */
export async function findPasswordHash(db: Executor, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('credentials')
    .select('secret_hash')
    .where('user_id', '=', userId)
    .where('kind', '=', 'password')
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.secret_hash ?? null;
}

/** Replaces a user's password: revokes the old one and stores the new hash. */
export async function replacePassword(db: Executor, row: Insertable<CredentialTable> & { created_at: string }): Promise<void> {
  await db.updateTable('credentials').set({ revoked_at: row.created_at }).where('user_id', '=', row.user_id).where('kind', '=', 'password').where('revoked_at', 'is', null).execute();
  await insertCredential(db, row);
}

/** Lookup of a generated token by its HMAC; the equality runs on a keyed hash, never a plaintext. */
export async function findCredentialByHash(db: Executor, secretHash: string): Promise<CredentialInfo | null> {
  const row = await db.selectFrom('credentials').select(PUBLIC_COLUMNS).where('secret_hash', '=', secretHash).executeTakeFirst();
  return row ? toCredentialInfo(row) : null;
}

export async function listCredentials(db: Executor, userId: string, kind: CredentialRow['kind']): Promise<CredentialInfo[]> {
  const rows = await db
    .selectFrom('credentials')
    .select(PUBLIC_COLUMNS)
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toCredentialInfo);
}

/** @returns false when there is no such live credential of this user */
export async function revokeCredential(db: Executor, userId: string, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('credentials')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordCredentialUse(db: Executor, id: string, use: { at: string; ip: string | null; userAgent: string | null }): Promise<void> {
  await db
    .updateTable('credentials')
    .set({ last_used_at: use.at, last_used_ip: use.ip, last_used_user_agent: use.userAgent })
    .where('id', '=', id)
    .execute();
}

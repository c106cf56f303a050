import type { Executor } from '../../db/database.js';
import type { AppDeps } from '../../http/deps.js';
import { addSeconds } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { hashPassword } from '../../lib/password-hash.js';
import { randomBase62, randomToken } from '../../lib/random.js';
import { insertOneTimeToken, voidUserTokens } from '../invites/one-time-token.repository.js';
import { replacePassword } from '../tokens/credential.repository.js';

/** Stored-hash prefix of generated passwords (HMAC), so verification knows which check to run. */
export const GENERATED_PASSWORD_PREFIX = 'hmac$';

/** 24 base62 characters: 142 bits, enough for a fast keyed hash instead of argon2. */
export function generateApiUserPassword(): string {
  return randomBase62(24);
}

export function generatedPasswordHash(secretKey: Buffer, password: string): string {
  return GENERATED_PASSWORD_PREFIX + keyedHash(secretKey, 'api-user-password', password);
}

/** The stored form of a typed password; computed before a transaction opens (argon2 takes ~10 ms). */
export async function typedPasswordHash(password: string): Promise<string> {
  return hashPassword(password);
}

/**
 * Stores a new password for the API user, revoking the old one: a typed password as its argon2id
 * hash (made beforehand with typedPasswordHash, so no transaction waits on argon2), a generated
 * one as an HMAC.
 */
export async function setApiUserPassword(
  trx: Executor, deps: Pick<AppDeps, 'clock' | 'secretKey'>, user: { id: string; organizationId: string },
  password: { typedHash: string } | { generated: string }, createdBy: string | null,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const secretHash = 'typedHash' in password ? password.typedHash : generatedPasswordHash(deps.secretKey, password.generated);
  await replacePassword(trx, {
    id: newId(), user_id: user.id, organization_id: user.organizationId, kind: 'password', secret_hash: secretHash,
    hint: '', name: 'password', expires_at: null, revoked_at: null, last_used_at: null, last_used_ip: null, last_used_user_agent: null,
    created_by: createdBy, created_at: now,
  });
}

/**
 * A one-time invitation link for the API user; older links are voided, so only the newest works.
 * The token rides in the URL fragment: it never reaches a server log.
 */
export async function issueApiUserInviteLink(
  trx: Executor, deps: Pick<AppDeps, 'clock' | 'secretKey' | 'config'>, user: { id: string; organizationId: string },
): Promise<{ link: string; tokenId: string; expiresAt: string }> {
  const now = deps.clock.now();
  await voidUserTokens(trx, user.id, 'api_user_invite', now.toISOString());
  const token = randomToken();
  const tokenId = newId(now);
  const expiresAt = addSeconds(now, deps.config.inviteLinkHours * 3600).toISOString();
  await insertOneTimeToken(trx, {
    id: tokenId, kind: 'api_user_invite', token_hash: keyedHash(deps.secretKey, 'one-time', token), user_id: user.id,
    organization_id: user.organizationId, expires_at: expiresAt, used_at: null, created_at: now.toISOString(),
  });
  return { link: `${deps.config.publicUrl}/reveal#token=${token}`, tokenId, expiresAt };
}

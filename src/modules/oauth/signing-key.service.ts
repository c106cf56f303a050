import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Insertable } from 'kysely';
import type { SigningKeyTable } from '../../db/schema.js';
import type { AppDeps } from '../../http/deps.js';
import { addSeconds } from '../../lib/clock.js';
import { encryptPrivateJwk } from './signing-key-crypto.js';
import { findNewestActiveSigningKey, insertSigningKey, listSigningKeys, retireSigningKeys, type SigningKeyRow } from './signing-key.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey'>;

/** The longest access token lifetime ACCESS_TOKEN_MINUTES allows: a retired key must outlive it. */
export const MAX_ACCESS_TOKEN_MINUTES = 15;
/** Slack after the last token a retired key signed has expired (clock skew, a stale instance). */
export const REMOVAL_GRACE_MINUTES = 5;
export const SIGNING_ALGORITHM = 'ES256';

/** A fresh ES256 key pair; the kid is its RFC 7638 thumbprint, unique by construction. */
async function newSigningKeyRow(deps: Deps): Promise<Insertable<SigningKeyTable> & { id: string }> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM };
  return {
    id: kid, algorithm: SIGNING_ALGORITHM, public_jwk: JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' }),
    private_jwk_encrypted: encryptPrivateJwk(deps.secretKey, kid, privateJwk), status: 'active',
    created_at: deps.clock.now().toISOString(), retired_at: null, remove_after: null,
  };
}

/**
 * The key tokens are signed with, created on first use. Safe when instances race: each may add
 * one (kids never collide), and all then sign with the newest.
 * @example const key = await ensureActiveSigningKey(deps);
 */
export async function ensureActiveSigningKey(deps: Deps): Promise<SigningKeyRow> {
  const existing = await findNewestActiveSigningKey(deps.db);
  if (existing) return existing;
  await insertSigningKey(deps.db, await newSigningKeyRow(deps));
  const newest = (await findNewestActiveSigningKey(deps.db))!;
  // A racing instance's older key is retired, not deleted: it may have signed a token already.
  // Only keys older than the one kept are retired, so the newest of all always stays active.
  await retireSigningKeys(deps.db, { at: deps.clock.now().toISOString(), removeAfter: removeAfterFrom(deps.clock.now()), olderThan: newest });
  return newest;
}

/** When a key retired at `now` leaves the JWKS: after the last token it can have signed expired. */
function removeAfterFrom(now: Date): string {
  return addSeconds(now, (MAX_ACCESS_TOKEN_MINUTES + REMOVAL_GRACE_MINUTES) * 60).toISOString();
}

/**
 * Makes a new active key and retires the old one(s), which stay published until every token they
 * signed has expired (remove_after = now + longest lifetime + grace). With `replacing`, only that
 * key is retired, and only if it is still active: of two instances rotating at once, one wins.
 * @example await rotateSigningKey(deps); // apiusers signing-keys rotate
 * @returns the new key, or null when `replacing` was already rotated by someone else
 */
export async function rotateSigningKey(deps: Deps, options: { replacing?: string } = {}): Promise<{ key: SigningKeyRow; retired: number } | null> {
  const row = await newSigningKeyRow(deps);
  const now = deps.clock.now();
  const removeAfter = removeAfterFrom(now);
  const retired = await deps.db.transaction().execute(async (trx) => {
    const count = await retireSigningKeys(trx, { at: now.toISOString(), removeAfter, only: options.replacing, keep: row.id });
    if (options.replacing && count === 0) return null;
    await insertSigningKey(trx, row);
    return count;
  });
  if (retired === null) return null;
  return { key: (await findNewestActiveSigningKey(deps.db))!, retired };
}

/** Every key with its state at `now`: active, retired (still published) or removed. @example (await describeSigningKeys(deps))[0]?.state // 'active' */
export async function describeSigningKeys(deps: Pick<AppDeps, 'db' | 'clock'>) {
  const now = deps.clock.now().toISOString();
  return (await listSigningKeys(deps.db)).map((k) => ({
    kid: k.id, algorithm: k.algorithm, created_at: k.created_at, retired_at: k.retired_at, remove_after: k.remove_after,
    state: k.status === 'active' ? 'active' as const : k.remove_after && k.remove_after > now ? 'retired' as const : 'removed' as const,
  }));
}

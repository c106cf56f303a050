import { calculateJwkThumbprint, type JWK } from 'jose';
import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { findApiUserById } from '../api-users/api-user.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';
import { insertCredential } from '../tokens/credential.repository.js';
import { importPublicJwk, importPublicPem, type ImportedPublicKey } from './public-key-import.js';
import { countPublicKeys, deletePublicKey, findPublicKeyIdByHash, findPublicKeysByIds, listPublicKeys as listPublicKeyRows, type PublicKey } from './public-key.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey'>;

/** Enough for rotation with overlap and a key per environment. */
export const MAX_PUBLIC_KEYS = 10;

/** What an administrator uploads: a JWK Set, one JWK, or a PEM SPKI public key. */
export type PublicKeyUpload = { name?: string | undefined } & ({ keys: JWK[] } | { pem: string; kid?: string | undefined } | JWK);

async function apiUserOf(deps: Pick<AppDeps, 'db'>, organizationId: string, userId: string) {
  const user = await findApiUserById(deps.db, organizationId, userId);
  if (!user) throw appError('api_user.not_found', `No API user ${userId} in this organization.`);
  return user;
}

/** Stored under a keyed hash of (user, thumbprint): the unique index then refuses the same key twice per user. */
function publicKeyHash(secretKey: Buffer, userId: string, thumbprint: string): string {
  return keyedHash(secretKey, 'public_key', `${userId}\0${thumbprint}`);
}

async function importUpload(upload: PublicKeyUpload): Promise<ImportedPublicKey[]> {
  if ('keys' in upload && Array.isArray(upload.keys)) return Promise.all(upload.keys.map((jwk, i) => importPublicJwk(jwk, `/keys/${i}`)));
  if ('pem' in upload && typeof upload.pem === 'string') return [await importPublicPem(upload.pem, upload.kid)];
  const { name: _name, ...jwk } = upload as JWK & { name?: string };
  return [await importPublicJwk(jwk, '')];
}

/** @example const keys = await listPublicKeys(deps, ctx, orgId, userId); // needs api-users:read */
export async function listPublicKeys(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, userId: string): Promise<PublicKey[]> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  await apiUserOf(deps, organizationId, userId);
  return listPublicKeyRows(deps.db, userId);
}

/**
 * Registers public keys for private_key_jwt on an API user: each is checked (public, supported,
 * valid), stored with its thumbprint's keyed hash and audited.
 * @example await addPublicKeys(deps, ctx, orgId, userId, { keys: [jwk] })
 * @throws AppError request.invalid (private key, bad key, duplicate, over the limit), api_user.not_found
 */
export async function addPublicKeys(deps: Deps, ctx: RequestContext, organizationId: string, userId: string, upload: PublicKeyUpload): Promise<PublicKey[]> {
  const principal = authorize(ctx.principal, organizationId, 'api-users:manage');
  await apiUserOf(deps, organizationId, userId);
  const imported = await importUpload(upload);
  const thumbprints = imported.map((k) => k.thumbprint);
  const repeated = thumbprints.findIndex((t, i) => thumbprints.indexOf(t) !== i);
  if (repeated >= 0) throw invalidField('body', `/keys/${repeated}`, 'is the same key as an earlier one in this upload');
  const now = deps.clock.now();
  const ids: string[] = [];
  await deps.db.transaction().execute(async (trx) => {
    if ((await countPublicKeys(trx, userId)) + imported.length > MAX_PUBLIC_KEYS) {
      throw invalidField('body', '', `an API user can have at most ${MAX_PUBLIC_KEYS} public keys; remove one first`);
    }
    for (const [i, key] of imported.entries()) {
      const hash = publicKeyHash(deps.secretKey, userId, key.thumbprint);
      const existing = await findPublicKeyIdByHash(trx, hash);
      if (existing) throw invalidField('body', 'keys' in upload ? `/keys/${i}` : '', `is already registered on this API user as ${existing}`);
      const id = newId(now);
      ids.push(id);
      await insertCredential(trx, {
        id, user_id: userId, organization_id: organizationId, kind: 'public_key', secret_hash: hash, hint: `${key.thumbprint.slice(0, 8)}…`,
        name: upload.name?.trim() || key.keyId.slice(0, 100), expires_at: null, revoked_at: null, last_used_at: null, last_used_ip: null, last_used_user_agent: null,
        created_by: principal.userId, created_at: now.toISOString(), public_jwk: JSON.stringify(key.jwk), key_id: key.keyId,
      });
      await recordAudit(trx, deps.clock, ctx, {
        organizationId, action: 'public_key.added', targetType: 'public_key', targetId: id,
        data: { api_user_id: userId, key_id: key.keyId, thumbprint: key.thumbprint, kty: key.jwk.kty },
      });
    }
  });
  return findPublicKeysByIds(deps.db, userId, ids);
}

/**
 * The key stops authenticating client assertions at once (they are checked against the database).
 * @example await removePublicKey(deps, ctx, orgId, userId, keyId); // needs api-users:manage
 */
export async function removePublicKey(deps: Deps, ctx: RequestContext, organizationId: string, userId: string, keyId: string): Promise<void> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  await apiUserOf(deps, organizationId, userId);
  await deps.db.transaction().execute(async (trx) => {
    const [key] = await findPublicKeysByIds(trx, userId, [keyId]);
    if (!key || !(await deletePublicKey(trx, userId, keyId))) throw appError('request.not_found', `The API user has no public key ${keyId}.`);
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'public_key.removed', targetType: 'public_key', targetId: keyId,
      data: { api_user_id: userId, key_id: key.keyId, thumbprint: await calculateJwkThumbprint(key.jwk) },
    });
  });
}

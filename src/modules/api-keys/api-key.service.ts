import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { credentialHint, generateCredential } from '../../lib/credential-format.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { findApiUserById } from '../api-users/api-user.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';
import { assertKeyExpiryAllowed, readCredentialPolicy } from '../organizations/credential-policy.js';
import { insertCredential } from '../tokens/credential.repository.js';
import { countLiveApiKeys, findApiKey, listApiKeys as listApiKeyRows, revokeApiKeyRow, scheduleApiKeyRetirement, type ApiKey } from './api-key.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'invalidation'>;

/** At most this many keys authenticate at once per API user (rolling needs two). */
export const MAX_LIVE_KEYS = 10;
/** How long a rolled key keeps working when the administrator does not say. */
export const DEFAULT_ROLL_GRACE_HOURS = 24;

async function apiUserOf(deps: Pick<AppDeps, 'db'>, organizationId: string, userId: string) {
  const user = await findApiUserById(deps.db, organizationId, userId);
  if (!user) throw appError('api_user.not_found', `No API user ${userId} in this organization.`);
  return user;
}

/** The HMAC an API key is stored and looked up under. */
export function apiKeyHash(secretKey: Buffer, key: string): string {
  return keyedHash(secretKey, 'credential', key);
}

export interface NewApiKey {
  name: string;
  expiresAt?: Date | null | undefined;
}

/**
 * Creates an API key for an API user; the key is in the answer once, and only its HMAC and a
 * hint are kept.
 */
export async function createApiKey(deps: Deps, ctx: RequestContext, organizationId: string, userId: string, input: NewApiKey, replacing?: { id: string; until: string }): Promise<{ key: string; apiKey: ApiKey }> {
  const principal = authorize(ctx.principal, organizationId, 'api-users:manage');
  await apiUserOf(deps, organizationId, userId);
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw invalidField('body', '/expires_at', 'must be in the future');
  assertKeyExpiryAllowed(await readCredentialPolicy(deps.db, organizationId), input.expiresAt ?? null, now);
  const key = generateCredential('key');
  const id = newId(now);
  await deps.db.transaction().execute(async (trx) => {
    if ((await countLiveApiKeys(trx, userId, now.toISOString())) >= MAX_LIVE_KEYS + (replacing ? 1 : 0)) {
      throw appError('api_key.limit_reached', `An API user can have at most ${MAX_LIVE_KEYS} live keys; revoke one first.`);
    }
    await insertCredential(trx, {
      id, user_id: userId, organization_id: organizationId, kind: 'api_key', secret_hash: apiKeyHash(deps.secretKey, key),
      hint: credentialHint(key), name: input.name.trim(), expires_at: input.expiresAt?.toISOString() ?? null, revoked_at: null,
      last_used_at: null, last_used_ip: null, last_used_user_agent: null, created_by: principal.userId, created_at: now.toISOString(),
    });
    if (replacing) await scheduleApiKeyRetirement(trx, replacing.id, replacing.until, id);
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: replacing ? 'api_key.rolled' : 'api_key.created', targetType: 'api_key', targetId: id,
      data: { api_user_id: userId, name: input.name, expires_at: input.expiresAt?.toISOString() ?? null, ...(replacing ? { replaces: replacing.id, old_key_valid_until: replacing.until } : {}) },
    });
  });
  // Every instance, not only this one, drops the old key's cached verification (its expiry changed).
  if (replacing) await deps.invalidation.userChanged(userId);
  return { key, apiKey: (await findApiKey(deps.db, userId, id))! };
}

export async function listApiKeys(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, userId: string): Promise<ApiKey[]> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  await apiUserOf(deps, organizationId, userId);
  return listApiKeyRows(deps.db, userId);
}

/** Stops the key at once (every instance refuses it on the next request). */
export async function revokeApiKey(deps: Deps, ctx: RequestContext, organizationId: string, userId: string, keyId: string): Promise<void> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  await apiUserOf(deps, organizationId, userId);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await revokeApiKeyRow(trx, userId, keyId, deps.clock.now().toISOString()))) {
      throw appError('api_key.not_found', `The API user has no live key ${keyId}.`);
    }
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'api_key.revoked', targetType: 'api_key', targetId: keyId, data: { api_user_id: userId } });
  });
  await deps.invalidation.userChanged(userId);
}

/**
 * Zero-downtime rotation: a new key now; the old one keeps working until `oldKeyValidUntil`
 * (default 24 h, never later than its own expiry), so the integration can switch over.
 */
export async function rollApiKey(
  deps: Deps, ctx: RequestContext, organizationId: string, userId: string, keyId: string,
  input: { name?: string | undefined; expiresAt?: Date | null | undefined; oldKeyValidUntil?: Date | undefined },
): Promise<{ key: string; apiKey: ApiKey; previous: ApiKey }> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  await apiUserOf(deps, organizationId, userId);
  const old = await findApiKey(deps.db, userId, keyId);
  const now = deps.clock.now();
  if (!old || old.revokedAt || (old.expiresAt && old.expiresAt <= now.toISOString()) || old.replacedBy) {
    throw appError('api_key.not_found', `The API user has no live, unrolled key ${keyId}.`);
  }
  const until = input.oldKeyValidUntil ?? addSeconds(now, DEFAULT_ROLL_GRACE_HOURS * 3600);
  if (until.getTime() < now.getTime()) throw invalidField('body', '/old_key_valid_until', 'must not be in the past (use DELETE to revoke at once)');
  const capped = old.expiresAt && old.expiresAt < until.toISOString() ? old.expiresAt : until.toISOString();
  const created = await createApiKey(deps, ctx, organizationId, userId, { name: input.name ?? old.name, expiresAt: input.expiresAt }, { id: old.id, until: capped });
  return { ...created, previous: (await findApiKey(deps.db, userId, keyId))! };
}

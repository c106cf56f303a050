import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { credentialHint, generateCredential } from '../../lib/credential-format.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { recordAudit } from '../audit/record-audit.js';
import { insertCredential, listCredentials, revokeCredential, type CredentialInfo } from './credential.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'invalidation'>;

export const MAX_ACCESS_TOKEN_DAYS = 366;

/** The administrator a personal access token is created for: the caller, or (CLI) a named one. */
export interface TokenOwner {
  userId: string;
  organizationId: string;
}

function ownerOf(ctx: RequestContext): TokenOwner {
  if (!ctx.principal) throw appError('auth.unauthenticated', 'Sign in to manage your access tokens.');
  return { userId: ctx.principal.userId, organizationId: ctx.principal.organizationId };
}

/**
 * Creates a personal access token. The token is returned here once; only its HMAC and a hint
 * are stored.
 */
export async function createAccessToken(deps: Deps, ctx: RequestContext, input: { name: string; expiresInDays?: number | undefined }, owner = ownerOf(ctx)) {
  const now = deps.clock.now();
  const token = generateCredential('pat');
  const id = newId(now);
  const expiresAt = input.expiresInDays ? addSeconds(now, input.expiresInDays * 86400).toISOString() : null;
  await deps.db.transaction().execute(async (trx) => {
    await insertCredential(trx, {
      id, user_id: owner.userId, organization_id: owner.organizationId, kind: 'personal_access_token',
      secret_hash: keyedHash(deps.secretKey, 'credential', token), hint: credentialHint(token), name: input.name.trim(),
      expires_at: expiresAt, revoked_at: null, last_used_at: null, last_used_ip: null, last_used_user_agent: null,
      created_by: ctx.principal?.userId ?? owner.userId, created_at: now.toISOString(),
    });
    await recordAudit(trx, deps.clock, ctx, { organizationId: owner.organizationId, action: 'access_token.created', targetType: 'access_token', targetId: id, data: { name: input.name, expires_at: expiresAt } });
  });
  const [info] = (await listCredentials(deps.db, owner.userId, 'personal_access_token')).filter((c) => c.id === id);
  return { token, info: info! };
}

export async function listAccessTokens(deps: Pick<AppDeps, 'db'>, ctx: RequestContext): Promise<CredentialInfo[]> {
  return listCredentials(deps.db, ownerOf(ctx).userId, 'personal_access_token');
}

export async function revokeAccessToken(deps: Deps, ctx: RequestContext, id: string): Promise<void> {
  const owner = ownerOf(ctx);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await revokeCredential(trx, owner.userId, id, deps.clock.now().toISOString()))) {
      throw appError('token.not_found', `You have no live access token ${id}.`);
    }
    await recordAudit(trx, deps.clock, ctx, { organizationId: owner.organizationId, action: 'access_token.revoked', targetType: 'access_token', targetId: id });
  });
  await deps.invalidation.userChanged(owner.userId);
}

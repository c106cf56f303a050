import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { parseCredential } from '../../lib/credential-format.js';
import { newId } from '../../lib/ids.js';
import { constantTimeEqual, keyedHash } from '../../lib/keyed-hash.js';
import { verifyAgainstDummy, verifyPassword } from '../../lib/password-hash.js';
import { randomToken } from '../../lib/random.js';
import { findAdministratorByEmail, findAdministratorById, recordSignIn, type Administrator } from '../admins/admin.repository.js';
import { normalizeEmail } from '../admins/admin.service.js';
import { recordAudit } from '../audit/record-audit.js';
import { findRolePrivileges } from '../roles/role.repository.js';
import { findCredentialByHash, findPasswordHash, recordCredentialUse } from '../tokens/credential.repository.js';
import type { CachedPrincipal } from '../api-auth/verification-cache.js';
import type { Principal } from './principal.js';
import { findLiveSessionByHash, insertSession, revokeSession, touchSession } from './session.repository.js';
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure } from './sign-in-throttle.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config' | 'verificationCache'>;

/** Sessions never outlive this, however active. */
export const SESSION_MAX_SECONDS = 7 * 24 * 3600;
/** Writes of last-seen / last-used are throttled to one a minute per session or token. */
const TOUCH_EVERY_MS = 60_000;

export function csrfTokenFor(secretKey: Buffer, sessionId: string): string {
  return keyedHash(secretKey, 'csrf', sessionId);
}

/** Starts a session for an administrator who proved their identity (sign-in or setup). */
export async function startSession(deps: Deps, ctx: RequestContext, admin: Administrator) {
  const now = deps.clock.now();
  const token = randomToken();
  const id = newId(now);
  const expiresAt = addSeconds(now, deps.config.sessionIdleMinutes * 60).toISOString();
  await insertSession(deps.db, {
    id, user_id: admin.id, token_hash: keyedHash(deps.secretKey, 'session', token),
    created_at: now.toISOString(), last_seen_at: now.toISOString(), expires_at: expiresAt, revoked_at: null,
    ip: ctx.ip, user_agent: ctx.userAgent?.slice(0, 300) ?? null,
  });
  return { token, sessionId: id, csrfToken: csrfTokenFor(deps.secretKey, id), expiresAt };
}

/**
 * Email + password sign-in. Unknown email, wrong password and an unusable account all give the
 * same 401 after the same argon2 work; failures are counted per account and per IP.
 */
export async function signIn(deps: Deps, ctx: RequestContext, input: { email: string; password: string }) {
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  await assertSignInAllowed(deps.db, deps.secretKey, now, email, ctx.ip);
  const admin = await findAdministratorByEmail(deps.db, email);
  const stored = admin ? await findPasswordHash(deps.db, admin.id) : null;
  const ok = stored ? await verifyPassword(stored, input.password) : await verifyAgainstDummy(input.password);
  if (!ok || !admin) {
    await recordSignInFailure(deps.db, deps.secretKey, now, email, ctx.ip);
    throw appError('auth.invalid_credentials', 'The email or password is incorrect.', { headers: { 'www-authenticate': 'Cookie realm="apiusers"' } });
  }
  if (admin.status !== 'enabled') throw appError('auth.account_disabled', 'This administrator account is disabled; ask your Account owner to enable it.');
  await clearSignInFailures(deps.db, deps.secretKey, email);
  const session = await startSession(deps, ctx, admin);
  await deps.db.transaction().execute(async (trx) => {
    await recordSignIn(trx, admin.id, now.toISOString());
    await recordAudit(trx, deps.clock, { ...ctx, principal: await principalOf(trx, admin, 'session', session.sessionId) }, {
      organizationId: admin.organizationId, action: 'session.created', targetType: 'administrator', targetId: admin.id,
    });
  });
  return { ...session, administrator: { ...admin, lastSignInAt: now.toISOString() } };
}

async function principalOf(db: Deps['db'], admin: Pick<Administrator, 'id' | 'organizationId' | 'email' | 'roleId' | 'roleName'>, via: Principal['via'], sessionId: string | null): Promise<Principal> {
  return {
    userId: admin.id, organizationId: admin.organizationId, email: admin.email, roleId: admin.roleId, roleName: admin.roleName,
    privileges: await findRolePrivileges(db, admin.roleId), via, sessionId,
  };
}

/** The principal of a session cookie, or null when it is unknown, expired or revoked. */
export async function authenticateSession(deps: Deps, token: string): Promise<Principal | null> {
  const now = deps.clock.now();
  const row = await findLiveSessionByHash(deps.db, keyedHash(deps.secretKey, 'session', token), now.toISOString());
  if (!row || row.status !== 'enabled' || row.kind !== 'admin') return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    const idle = addSeconds(now, deps.config.sessionIdleMinutes * 60).getTime();
    const cap = Date.parse(row.created_at) + SESSION_MAX_SECONDS * 1000;
    await touchSession(deps.db, row.session_id, now.toISOString(), new Date(Math.min(idle, cap)).toISOString());
  }
  return principalOf(deps.db, { id: row.user_id, organizationId: row.organization_id, email: row.email, roleId: row.role_id, roleName: row.role_name }, 'session', row.session_id);
}

/** The principal of a personal access token (`Authorization: Bearer au_pat_…`), or null. */
export function authenticateAccessToken(deps: Deps, ctx: Pick<RequestContext, 'ip' | 'userAgent'>, token: string): Promise<Principal | null> | Principal | null {
  const hash = accessTokenCacheKeyOf(deps.secretKey, token);
  if (hash === null) return null; // malformed: refused before any database read
  const cached = deps.verificationCache.getPrincipal(hash);
  // A cached token answers without a promise: the verify API's callers send one on every call.
  if (!cached) return accessTokenFromDatabase(deps, ctx, hash);
  if (cached.expiresAt && Date.parse(cached.expiresAt) <= deps.clock.now().getTime()) return null;
  touchCachedAccessToken(deps, ctx, cached);
  return cached.principal as Principal;
}

/** Where a personal access token's verification is cached; null when it is not a well-formed token. No I/O. */
export function accessTokenCacheKeyOf(secretKey: Buffer, token: string): string | null {
  return parseCredential(token)?.kind === 'pat' ? keyedHash(secretKey, 'credential', token) : null;
}

/**
 * A personal access token's cached, unexpired verification by its cache key, without I/O and
 * without recording its use; null for anything else (which authenticateAccessToken then decides).
 */
export function cachedAccessTokenByKey(deps: Pick<Deps, 'verificationCache' | 'clock'>, cacheKey: string): CachedPrincipal | null {
  const cached = deps.verificationCache.getPrincipal(cacheKey);
  if (!cached || (cached.expiresAt && Date.parse(cached.expiresAt) <= deps.clock.now().getTime())) return null;
  return cached;
}

/** Records a cached token's use (time, IP, user agent) at most once a minute, off the request path. */
export function touchCachedAccessToken(deps: Pick<Deps, 'db' | 'clock'>, ctx: Pick<RequestContext, 'ip' | 'userAgent'>, cached: CachedPrincipal): void {
  const now = deps.clock.now().getTime();
  if (now - cached.lastUseWrittenAt <= TOUCH_EVERY_MS) return;
  cached.lastUseWrittenAt = now;
  recordCredentialUse(deps.db, cached.credentialId, { at: new Date(now).toISOString(), ip: ctx.ip, userAgent: ctx.userAgent?.slice(0, 300) ?? null }).catch(() => undefined);
}

async function accessTokenFromDatabase(deps: Deps, ctx: Pick<RequestContext, 'ip' | 'userAgent'>, hash: string): Promise<Principal | null> {
  const now = deps.clock.now();
  const readAt = deps.verificationCache.generation;
  const credential = await findCredentialByHash(deps.db, hash);
  if (!credential || credential.kind !== 'personal_access_token' || credential.revokedAt) return null;
  if (credential.expiresAt && credential.expiresAt <= now.toISOString()) return null;
  const user = await deps.db.selectFrom('users').select(['organization_id', 'status', 'kind']).where('id', '=', credential.userId).executeTakeFirst();
  if (!user || user.status !== 'enabled' || user.kind !== 'admin') return null;
  const admin = await findAdministratorById(deps.db, user.organization_id, credential.userId);
  if (!admin) return null;
  if (!credential.lastUsedAt || now.getTime() - Date.parse(credential.lastUsedAt) > TOUCH_EVERY_MS) {
    await recordCredentialUse(deps.db, credential.id, { at: now.toISOString(), ip: ctx.ip, userAgent: ctx.userAgent?.slice(0, 300) ?? null });
  }
  const principal = await principalOf(deps.db, admin, 'token', null);
  // Dropped on every instance when the administrator, their token or a role of their organization
  // changes; not kept at all when such a change was dropped while this was read (readAt).
  deps.verificationCache.set(hash, {
    kind: 'admin_token', userId: admin.id, organizationId: admin.organizationId, credentialId: credential.id, expiresAt: credential.expiresAt,
    principal, lastUseWrittenAt: now.getTime(),
  }, readAt);
  return principal;
}

/** @returns whether the header carries this session's CSRF token */
export function checkCsrf(secretKey: Buffer, sessionId: string, header: string | undefined): boolean {
  return typeof header === 'string' && constantTimeEqual(header, csrfTokenFor(secretKey, sessionId));
}

export async function signOut(deps: Deps, ctx: RequestContext): Promise<void> {
  const principal = ctx.principal;
  if (!principal?.sessionId) throw appError('auth.unauthenticated', 'There is no session to sign out of.');
  await deps.db.transaction().execute(async (trx) => {
    await revokeSession(trx, principal.sessionId!, deps.clock.now().toISOString());
    await recordAudit(trx, deps.clock, ctx, { organizationId: principal.organizationId, action: 'session.revoked', targetType: 'administrator', targetId: principal.userId });
  });
}

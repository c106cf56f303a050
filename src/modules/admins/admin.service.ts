import type { Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { hashPassword } from '../../lib/password-hash.js';
import { randomToken } from '../../lib/random.js';
import { recordAudit } from '../audit/record-audit.js';
import { insertOneTimeToken } from '../invites/one-time-token.repository.js';
import { enqueueEmail } from '../mail/email.js';
import { grants, BUILT_IN_ROLE, type Privilege } from '../roles/privileges.js';
import { findRole } from '../roles/role.repository.js';
import { authorize, type Principal } from '../sessions/principal.js';
import { revokeUserSessions } from '../sessions/session.repository.js';
import { insertCredential } from '../tokens/credential.repository.js';
import { assertAdminPassword } from './admin-password-policy.js';
import {
  deleteUser,
  findAdministratorById,
  insertUser,
  listAdministrators as listAdministratorRows,
  updateUser,
  type Administrator,
} from './admin.repository.js';

/** How long an administrator invitation link stays valid. */
export const ADMIN_INVITE_TTL_SECONDS = 7 * 24 * 3600;

export interface NewAdministrator {
  email: string;
  firstName: string;
  lastName: string;
  roleId: string;
  /** Omitted: the administrator is invited and sets a password through the invitation link. */
  password?: string | undefined;
}

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config' | 'invalidation'>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The invitation link of an administrator; the token is in the fragment, so it never reaches a log. */
export function adminInviteUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/invite#token=${token}`;
}

/**
 * Inserts an administrator (and their password or invitation) in the caller's transaction.
 * Shared by setup, `apiusers init` and the administrators API.
 */
export async function insertAdministrator(
  trx: Executor,
  deps: Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config'>,
  ctx: RequestContext,
  organizationId: string,
  input: NewAdministrator,
): Promise<{ administrator: Administrator; inviteToken: string | null }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const id = newId(now);
  const email = normalizeEmail(input.email);
  if (input.password !== undefined) assertAdminPassword(input.password, { email });
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  try {
    await insertUser(trx, {
      id, organization_id: organizationId, kind: 'admin', username: null, email,
      first_name: input.firstName.trim(), last_name: input.lastName.trim(), description: '',
      role_id: input.roleId, status: passwordHash ? 'enabled' : 'invited', last_sign_in_at: null, created_at: at, updated_at: at,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw appError('administrator.email_taken', `An administrator with email ${email} already exists.`);
    throw error;
  }
  let inviteToken: string | null = null;
  if (passwordHash) {
    await insertCredential(trx, {
      id: newId(now), user_id: id, organization_id: organizationId, kind: 'password', secret_hash: passwordHash,
      hint: '', name: 'password', expires_at: null, revoked_at: null, last_used_at: null, last_used_ip: null,
      last_used_user_agent: null, created_by: ctx.principal?.userId ?? null, created_at: at,
    });
  } else {
    inviteToken = randomToken();
    const tokenId = newId(now);
    const expiresAt = addSeconds(now, ADMIN_INVITE_TTL_SECONDS).toISOString();
    await insertOneTimeToken(trx, {
      id: tokenId, kind: 'admin_invite', token_hash: keyedHash(deps.secretKey, 'one-time', inviteToken),
      user_id: id, organization_id: organizationId, expires_at: expiresAt, used_at: null, created_at: at,
    });
    await enqueueEmail(trx, deps.clock, {
      organizationId, to: email, dedupeKey: `admin-invite:${tokenId}`,
      subject: 'You are invited to administer API users',
      text: [
        `Hello ${input.firstName.trim()},`,
        '',
        `${ctx.principal?.email ?? 'An administrator'} invited you to administer API users in apiusers.`,
        `Choose your password with this one-time link (valid until ${expiresAt} UTC), then sign in as ${email}:`,
        '',
        `  ${adminInviteUrl(deps.config.publicUrl, inviteToken)}`,
      ].join('\n'),
    });
  }
  await recordAudit(trx, deps.clock, ctx, {
    organizationId, action: passwordHash ? 'administrator.created' : 'administrator.invited', targetType: 'administrator', targetId: id,
    data: { email, role_id: input.roleId },
  });
  return { administrator: (await findAdministratorById(trx, organizationId, id))!, inviteToken };
}

/** A role the principal may give: an admin role, not the owner's, and no more than they hold. */
async function assertAssignableRole(trx: Executor, principal: Principal, organizationId: string, roleId: string, pointer: string): Promise<void> {
  const role = await findRole(trx, organizationId, roleId);
  if (!role) throw invalidField('body', pointer, `there is no role ${roleId} in this organization`);
  if (role.assignableTo !== 'admin') throw invalidField('body', pointer, `the role "${role.name}" is for API users, not administrators`);
  if (role.id === BUILT_IN_ROLE.owner) {
    throw appError('role.not_assignable', 'The Account owner role is given only by transferring ownership (POST …/transfer-ownership).');
  }
  const missing = role.privileges.filter((p) => !grants(principal.privileges, p as Privilege));
  if (missing.length > 0) {
    throw appError('role.not_assignable', `The role "${role.name}" grants ${missing.join(', ')}, which you do not hold; ask an administrator who does.`);
  }
}

/** Adds an administrator: with a password, ready to sign in; without, invited (link returned once). */
export async function createAdministrator(deps: Deps, ctx: RequestContext, organizationId: string, input: NewAdministrator) {
  const principal = authorize(ctx.principal, organizationId, 'admins:manage');
  return deps.db.transaction().execute(async (trx) => {
    await assertAssignableRole(trx, principal, organizationId, input.roleId, '/role_id');
    const created = await insertAdministrator(trx, deps, ctx, organizationId, input);
    return { ...created, inviteUrl: created.inviteToken ? adminInviteUrl(deps.config.publicUrl, created.inviteToken) : null };
  });
}

export async function getAdministrator(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, id: string): Promise<Administrator> {
  authorize(ctx.principal, organizationId, 'admins:read');
  const admin = await findAdministratorById(deps.db, organizationId, id);
  if (!admin) throw appError('administrator.not_found', `No administrator ${id} in this organization.`);
  return admin;
}

export async function listAdministrators(
  deps: Pick<AppDeps, 'db'>,
  ctx: RequestContext,
  organizationId: string,
  query: { kind?: 'admin' | 'api' | undefined; after?: [string, string] | undefined; limit: number },
): Promise<Administrator[]> {
  authorize(ctx.principal, organizationId, 'admins:read');
  return listAdministratorRows(deps.db, { organizationId, ...query });
}

export interface AdministratorChanges {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  roleId?: string | undefined;
  status?: 'enabled' | 'disabled' | undefined;
}

export async function updateAdministrator(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number, changes: AdministratorChanges): Promise<Administrator> {
  const principal = authorize(ctx.principal, organizationId, 'admins:manage');
  const updated = await deps.db.transaction().execute(async (trx) => {
    const current = await findAdministratorById(trx, organizationId, id);
    if (!current) throw appError('administrator.not_found', `No administrator ${id} in this organization.`);
    const touchesAccess = (changes.roleId !== undefined && changes.roleId !== current.roleId) || (changes.status !== undefined && changes.status !== current.status);
    if (touchesAccess && current.roleId === BUILT_IN_ROLE.owner) {
      throw appError('administrator.is_owner', 'The Account owner cannot be disabled or given another role; transfer ownership first.');
    }
    if (touchesAccess && current.id === principal.userId) throw appError('administrator.is_self', 'You cannot change your own role or status; ask another administrator.');
    if (changes.roleId !== undefined && changes.roleId !== current.roleId) {
      await assertAssignableRole(trx, principal, organizationId, changes.roleId, '/role_id');
    }
    if (changes.status === 'enabled' && current.status === 'invited') {
      throw invalidField('body', '/status', 'an invited administrator becomes enabled by accepting the invitation');
    }
    const at = deps.clock.now().toISOString();
    try {
      const ok = await updateUser(trx, organizationId, id, version, {
        ...(changes.email !== undefined ? { email: normalizeEmail(changes.email) } : {}),
        ...(changes.firstName !== undefined ? { first_name: changes.firstName.trim() } : {}),
        ...(changes.lastName !== undefined ? { last_name: changes.lastName.trim() } : {}),
        ...(changes.roleId !== undefined ? { role_id: changes.roleId } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        updated_at: at,
      });
      if (!ok) staleVersion('administrator');
    } catch (error) {
      if (isUniqueViolation(error)) throw appError('administrator.email_taken', `Another administrator already uses ${changes.email}.`);
      throw error;
    }
    if (changes.status === 'disabled' || (changes.roleId !== undefined && changes.roleId !== current.roleId)) await revokeUserSessions(trx, id, at);
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'administrator.updated', targetType: 'administrator', targetId: id,
      data: { fields: Object.keys(changes).filter((k) => changes[k as keyof AdministratorChanges] !== undefined), role_id: changes.roleId, status: changes.status },
    });
    return (await findAdministratorById(trx, organizationId, id))!;
  });
  // Their access tokens act with the new role or status from the next request on.
  await deps.invalidation.userChanged(id);
  return updated;
}

export async function deleteAdministrator(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number): Promise<void> {
  const principal = authorize(ctx.principal, organizationId, 'admins:manage');
  await deps.db.transaction().execute(async (trx) => {
    const current = await findAdministratorById(trx, organizationId, id);
    if (!current) throw appError('administrator.not_found', `No administrator ${id} in this organization.`);
    if (current.roleId === BUILT_IN_ROLE.owner) throw appError('administrator.is_owner', 'The Account owner cannot be removed; transfer ownership first.');
    if (current.id === principal.userId) throw appError('administrator.is_self', 'You cannot remove your own account; ask another administrator.');
    if (!(await deleteUser(trx, organizationId, id, version))) staleVersion('administrator');
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'administrator.deleted', targetType: 'administrator', targetId: id, data: { email: current.email } });
  });
  await deps.invalidation.userChanged(id);
}

import { isUniqueViolation } from '../../db/errors.js';
import type { Executor } from '../../db/database.js';
import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import { newId } from '../../lib/ids.js';
import { insertUser } from '../admins/admin.repository.js';
import { findApplicationByKey } from '../applications/application.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { findOrganizationById, type Organization } from '../organizations/organization.repository.js';
import { BUILT_IN_ROLE } from '../roles/privileges.js';
import { authorize } from '../sessions/principal.js';
import { generateApiUsername, isApiUsername } from './api-username.js';
import { generateApiUserPassword, issueApiUserInviteLink, setApiUserPassword, typedPasswordHash } from './api-user-credentials.js';
import { enqueueApiUserInvite } from './api-user-invite-email.js';
import { assertApiUserPassword } from './api-user-password-policy.js';
import { findApiUserById, replaceUserApplications, usernameExists, type ApiUser, type ApplicationRef } from './api-user.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config' | 'invalidation'>;

export interface NewApiUser {
  /** A name proposed by GET …/api-users/new; generated when omitted. */
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  description?: string | undefined;
  status?: 'enabled' | 'disabled' | undefined;
  /** Application keys; HttpApi when omitted. */
  applications?: string[] | undefined;
  /** Typed twice by the administrator (dotdigital); omitted: generated and delivered by invite (Movius). */
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
}

async function organizationOf(db: Executor, organizationId: string): Promise<Organization> {
  const org = await findOrganizationById(db, organizationId);
  if (!org) throw appError('organization.not_found', `No organization ${organizationId}.`);
  return org;
}

/** Application keys -> rows of this organization; an unknown key is a 400 naming its position. */
export async function resolveApplications(db: Executor, organizationId: string, keys: string[]): Promise<ApplicationRef[]> {
  const out: ApplicationRef[] = [];
  // Duplicates are skipped, but the pointer keeps the key's position in the body as sent.
  for (const [index, key] of keys.entries()) {
    if (keys.indexOf(key) !== index) continue;
    const app = await findApplicationByKey(db, organizationId, key);
    if (!app) throw invalidField('body', `/applications/${index}`, `there is no application "${key}" in this organization (GET …/applications lists them)`);
    out.push({ id: app.id, key: app.key, name: app.name });
  }
  return out;
}

export function assertPasswordsMatch(password: string | undefined, confirmation: string | undefined): void {
  if (password === undefined) return;
  if (confirmation === undefined) throw invalidField('body', '/password_confirmation', 'enter the password a second time to confirm it');
  if (password !== confirmation) throw invalidField('body', '/password_confirmation', 'does not match the password');
}

/** dotdigital: "Accept the randomly generated Email address" — a fresh, unused name to propose. */
export async function proposeApiUsername(deps: Pick<AppDeps, 'db' | 'config'>, ctx: RequestContext, organizationId: string): Promise<string> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  for (;;) {
    const candidate = generateApiUsername(deps.config.apiUserDomain);
    if (!(await usernameExists(deps.db, candidate))) return candidate;
  }
}

export async function getApiUser(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, id: string): Promise<ApiUser> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  const user = await findApiUserById(deps.db, organizationId, id);
  if (!user) throw appError('api_user.not_found', `No API user ${id} in this organization.`);
  return user;
}

/**
 * Creates an API user. With a typed password the user can authenticate at once; without one, an
 * invitation email (written to the outbox in this transaction) carries a one-time link to the
 * password, or the password itself with INVITE_DELIVERY=inline.
 */
export async function createApiUser(deps: Deps, ctx: RequestContext, organizationId: string, input: NewApiUser): Promise<{ apiUser: ApiUser; inviteSent: boolean }> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  assertPasswordsMatch(input.password, input.passwordConfirmation);
  const email = input.email?.trim().toLowerCase() || null;
  if (input.password === undefined && !email) {
    throw invalidField('body', '/email', 'is needed to send the invitation with the password; or type a password (twice) instead');
  }
  if (input.username !== undefined && !isApiUsername(input.username, deps.config.apiUserDomain)) {
    throw invalidField('body', '/username', `must be a generated name like apiuser-<12 digits>@${deps.config.apiUserDomain} (GET …/api-users/new proposes one)`);
  }
  // Everything slow or read-only happens before the transaction: the name, the rules, argon2.
  const org = await organizationOf(deps.db, organizationId);
  let username = input.username;
  if (username === undefined) {
    do username = generateApiUsername(deps.config.apiUserDomain);
    while (await usernameExists(deps.db, username));
  }
  if (input.password !== undefined) assertApiUserPassword(input.password, { username, email, organizationName: org.name });
  const typedHash = input.password !== undefined ? await typedPasswordHash(input.password) : null;
  const result = await deps.db.transaction().execute(async (trx) => {
    const applications = await resolveApplications(trx, organizationId, input.applications ?? ['httpapi']);
    if (await usernameExists(trx, username)) throw appError('api_user.username_taken', `${username} is already taken; ask GET …/api-users/new for another.`);
    const now = deps.clock.now();
    const id = newId(now);
    try {
      await insertUser(trx, {
        id, organization_id: organizationId, kind: 'api', username, email: email ?? '',
        first_name: input.firstName?.trim() ?? '', last_name: input.lastName?.trim() ?? '', description: input.description?.trim() ?? '',
        role_id: BUILT_IN_ROLE.apiUser, status: input.status ?? 'enabled', last_sign_in_at: null,
        created_at: now.toISOString(), updated_at: now.toISOString(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw appError('api_user.username_taken', `${username} is already taken; ask GET …/api-users/new for another.`);
      throw error;
    }
    await replaceUserApplications(trx, id, applications.map((a) => a.id), now.toISOString());
    const user = (await findApiUserById(trx, organizationId, id))!;
    const createdBy = ctx.principal?.userId ?? null;
    let inviteSent = false;
    if (typedHash !== null) {
      await setApiUserPassword(trx, deps, user, { typedHash }, createdBy);
    } else if (deps.config.inviteDelivery === 'inline') {
      const password = generateApiUserPassword();
      await setApiUserPassword(trx, deps, user, { generated: password }, createdBy);
      await enqueueApiUserInvite(trx, deps.clock, user, { organizationName: org.name, password }, `api-user-invite:${id}:${now.toISOString()}`);
      inviteSent = true;
    } else {
      const invite = await issueApiUserInviteLink(trx, deps, user);
      await enqueueApiUserInvite(trx, deps.clock, user, { organizationName: org.name, link: invite.link, expiresAt: invite.expiresAt }, `api-user-invite:${invite.tokenId}`);
      inviteSent = true;
    }
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'api_user.created', targetType: 'api_user', targetId: id,
      data: { username, applications: applications.map((a) => a.key), status: user.status, password: input.password !== undefined ? 'typed' : deps.config.inviteDelivery },
    });
    return { apiUser: user, inviteSent };
  });
  return result;
}

/**
 * Movius "Resend Invite": a new link (the old one stops working), or with INVITE_DELIVERY=inline
 * a new password in the email (the old password stops working).
 */
export async function resendApiUserInvite(deps: Deps, ctx: RequestContext, organizationId: string, id: string): Promise<ApiUser> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  const user = await deps.db.transaction().execute(async (trx) => {
    const org = await organizationOf(trx, organizationId);
    const found = await findApiUserById(trx, organizationId, id);
    if (!found) throw appError('api_user.not_found', `No API user ${id} in this organization.`);
    if (!found.email) throw appError('api_user.no_contact_email', `${found.username} has no email address; add one (PATCH email) before sending an invitation.`);
    const now = deps.clock.now();
    if (deps.config.inviteDelivery === 'inline') {
      const password = generateApiUserPassword();
      await setApiUserPassword(trx, deps, found, { generated: password }, ctx.principal?.userId ?? null);
      await enqueueApiUserInvite(trx, deps.clock, found, { organizationName: org.name, password }, `api-user-invite:${id}:${now.toISOString()}`);
    } else {
      const invite = await issueApiUserInviteLink(trx, deps, found);
      await enqueueApiUserInvite(trx, deps.clock, found, { organizationName: org.name, link: invite.link, expiresAt: invite.expiresAt }, `api-user-invite:${invite.tokenId}`);
    }
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'api_user.invite_sent', targetType: 'api_user', targetId: id, data: { to: found.email } });
    return found;
  });
  if (deps.config.inviteDelivery === 'inline') await deps.invalidation.userChanged(id);
  return user;
}

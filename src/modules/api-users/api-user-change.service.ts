import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import type { Tier } from '../api-auth/rate-limit-tiers.js';
import { recordAudit } from '../audit/record-audit.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { authorize } from '../sessions/principal.js';
import { setApiUserPassword, typedPasswordHash } from './api-user-credentials.js';
import { assertApiUserPassword } from './api-user-password-policy.js';
import { findApiUserById, replaceUserApplications, updateApiUserRow, type ApiUser } from './api-user.repository.js';
import { assertPasswordsMatch, resolveApplications } from './api-user.service.js';
import { guardLastApplicationUser } from './last-application-guard.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config' | 'invalidation'>;

export interface ApiUserChanges {
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | null | undefined;
  description?: string | undefined;
  status?: 'enabled' | 'disabled' | undefined;
  applications?: string[] | undefined;
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
  /** null: back to the organization's default tier. */
  rateLimitTier?: Tier | null | undefined;
}

/**
 * Edits personal details, description, applications, status, password (Movius "Edit") or
 * rate-limit tier. The username never changes. Disabling the user, or removing an application from them, is guarded
 * like deletion when it would leave an application without an enabled API user.
 */
export async function updateApiUser(
  deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number, changes: ApiUserChanges, confirmed: boolean,
): Promise<ApiUser> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  assertPasswordsMatch(changes.password, changes.passwordConfirmation);
  const typedHash = changes.password !== undefined ? await typedPasswordHash(changes.password) : null;
  const updated = await deps.db.transaction().execute(async (trx) => {
    const user = await findApiUserById(trx, organizationId, id);
    if (!user) throw appError('api_user.not_found', `No API user ${id} in this organization.`);
    if (changes.username !== undefined && changes.username !== user.username) {
      throw appError('api_user.username_immutable', `The username ${user.username} is fixed for the life of the API user; create a new API user for a new name.`);
    }
    if (user.version !== version) staleVersion('API user');
    const applications = changes.applications !== undefined ? await resolveApplications(trx, organizationId, changes.applications) : user.applications;
    const removed = user.applications.filter((a) => !applications.some((b) => b.id === a.id));
    if (changes.status === 'disabled' && user.status === 'enabled') {
      await guardLastApplicationUser(trx, user, user.applications, 'disable', confirmed);
    } else if (removed.length > 0) {
      await guardLastApplicationUser(trx, user, removed, 'remove', confirmed);
    }
    const at = deps.clock.now().toISOString();
    const email = changes.email === undefined ? undefined : (changes.email?.trim().toLowerCase() ?? '');
    const ok = await updateApiUserRow(trx, organizationId, id, version, {
      ...(changes.firstName !== undefined ? { first_name: changes.firstName.trim() } : {}),
      ...(changes.lastName !== undefined ? { last_name: changes.lastName.trim() } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(changes.description !== undefined ? { description: changes.description.trim() } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.rateLimitTier !== undefined ? { rate_limit_tier: changes.rateLimitTier } : {}),
      updated_at: at,
    });
    if (!ok) staleVersion('API user');
    if (changes.applications !== undefined) await replaceUserApplications(trx, id, applications.map((a) => a.id), at);
    if (changes.password !== undefined && typedHash !== null) {
      const org = (await findOrganizationById(trx, organizationId))!;
      assertApiUserPassword(changes.password, { username: user.username, email: email || user.email, organizationName: org.name });
      await setApiUserPassword(trx, deps, user, { typedHash }, ctx.principal?.userId ?? null);
    }
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'api_user.updated', targetType: 'api_user', targetId: id,
      data: {
        fields: Object.entries(changes).filter(([k, v]) => v !== undefined && k !== 'passwordConfirmation').map(([k]) => k),
        status: changes.status, applications: changes.applications, confirmed_last_user: confirmed || undefined,
        ...(changes.rateLimitTier !== undefined ? { rate_limit_tier: changes.rateLimitTier } : {}),
      },
    });
    return (await findApiUserById(trx, organizationId, id))!;
  });
  // After commit: the next request re-verifies against the new state (status, applications, password).
  await deps.invalidation.userChanged(id);
  return updated;
}

/**
 * Deletes the API user and every credential it has (Movius "Delete"), guarded: when it is the
 * only enabled API user of an application, 409 with the guide's warning unless confirmed.
 */
export async function deleteApiUser(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number, confirmed: boolean): Promise<void> {
  authorize(ctx.principal, organizationId, 'api-users:manage');
  await deps.db.transaction().execute(async (trx) => {
    const user = await findApiUserById(trx, organizationId, id);
    if (!user) throw appError('api_user.not_found', `No API user ${id} in this organization.`);
    if (user.version !== version) staleVersion('API user');
    await guardLastApplicationUser(trx, user, user.applications, 'delete', confirmed);
    const result = await trx.deleteFrom('users').where('id', '=', id).where('kind', '=', 'api').where('version', '=', version).executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1) staleVersion('API user');
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'api_user.deleted', targetType: 'api_user', targetId: id,
      data: { username: user.username, applications: user.applications.map((a) => a.key), confirmed_last_user: confirmed || undefined },
    });
  });
  await deps.invalidation.userChanged(id);
}

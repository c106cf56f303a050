import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import { recordAudit } from '../audit/record-audit.js';
import { BUILT_IN_ROLE } from '../roles/privileges.js';
import { authorize } from '../sessions/principal.js';
import { findAdministratorById, findOwner, updateUser, type Administrator } from './admin.repository.js';

/**
 * Makes another enabled administrator the Account owner; the current owner becomes an
 * Enterprise Super Administrator. One transaction, demotion first, so the organization is never
 * without an owner and never has two (the users_one_owner index guards the second).
 */
export async function transferOwnership(
  deps: Pick<AppDeps, 'db' | 'clock' | 'invalidation'>,
  ctx: RequestContext,
  organizationId: string,
  newOwnerId: string,
): Promise<Administrator> {
  const principal = authorize(ctx.principal, organizationId, null);
  if (principal.roleId !== BUILT_IN_ROLE.owner) throw appError('auth.forbidden', 'Only the Account owner can transfer ownership.');
  const result = await deps.db.transaction().execute(async (trx) => {
    const owner = await findOwner(trx, organizationId);
    if (!owner || owner.id !== principal.userId) throw appError('auth.forbidden', 'Only the Account owner can transfer ownership.');
    const target = await findAdministratorById(trx, organizationId, newOwnerId);
    if (!target) throw appError('administrator.not_found', `No administrator ${newOwnerId} in this organization.`);
    if (target.id === owner.id) throw appError('administrator.is_self', 'You already own this organization.');
    if (target.status !== 'enabled') throw appError('administrator.is_owner', `${target.email} is ${target.status}; only an enabled administrator can become the Account owner.`);
    const at = deps.clock.now().toISOString();
    // Conditional on the versions just read: a concurrent transfer (or edit) that committed first
    // makes this a 412 instead of a users_one_owner violation (500) on PostgreSQL.
    if (!(await updateUser(trx, organizationId, owner.id, owner.version, { role_id: BUILT_IN_ROLE.enterpriseSuperAdmin, updated_at: at }))) staleVersion('Account owner');
    if (!(await updateUser(trx, organizationId, target.id, target.version, { role_id: BUILT_IN_ROLE.owner, updated_at: at }))) staleVersion('administrator');
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'organization.ownership_transferred', targetType: 'administrator', targetId: target.id,
      data: { from: owner.id, to: target.id },
    });
    return (await findAdministratorById(trx, organizationId, target.id))!;
  });
  // Both change role: their cached access-token principals must not keep the old privileges.
  await deps.invalidation.userChanged(principal.userId);
  await deps.invalidation.userChanged(newOwnerId);
  return result;
}

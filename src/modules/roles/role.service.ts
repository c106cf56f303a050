import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import { newId } from '../../lib/ids.js';
import { countUsersWithRole } from '../admins/admin.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';
import { PRIVILEGE_NAMES } from './privileges.js';
import { deleteRole as deleteRoleRow, findRole, insertRole, listRoles as listRoleRows, roleNameExists, updateRole as updateRoleRow, type Role } from './role.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'invalidation'>;

function assertPrivileges(privileges: string[]): string[] {
  const unknown = privileges.filter((p) => !(PRIVILEGE_NAMES as string[]).includes(p));
  if (unknown.length > 0) throw invalidField('body', '/privileges', `unknown privilege(s) ${unknown.join(', ')}; known: ${PRIVILEGE_NAMES.join(', ')}`);
  return [...new Set(privileges)].sort();
}

export async function listRoles(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string): Promise<Role[]> {
  authorize(ctx.principal, organizationId, 'admins:read');
  return listRoleRows(deps.db, organizationId);
}

export async function getRole(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, id: string): Promise<Role> {
  authorize(ctx.principal, organizationId, 'admins:read');
  const role = await findRole(deps.db, organizationId, id);
  if (!role) throw appError('role.not_found', `No role ${id} in this organization.`);
  return role;
}

/** Custom roles are the organization's own; creating one needs "Can manage account". */
export async function createRole(deps: Deps, ctx: RequestContext, organizationId: string, input: { name: string; description?: string | undefined; privileges: string[] }): Promise<Role> {
  authorize(ctx.principal, organizationId, 'account:manage');
  const privileges = assertPrivileges(input.privileges);
  return deps.db.transaction().execute(async (trx) => {
    const name = input.name.trim();
    if (await roleNameExists(trx, organizationId, name, null)) throw appError('role.name_taken', `A role named "${name}" already exists.`);
    const now = deps.clock.now();
    const id = newId(now);
    await insertRole(trx, {
      id, organization_id: organizationId, name, description: input.description?.trim() ?? '', kind: 'custom', assignable_to: 'admin',
      created_at: now.toISOString(), updated_at: now.toISOString(),
    }, privileges);
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'role.created', targetType: 'role', targetId: id, data: { name, privileges } });
    return (await findRole(trx, organizationId, id))!;
  });
}

async function customRole(deps: Pick<AppDeps, 'db'>, organizationId: string, id: string): Promise<Role> {
  const role = await findRole(deps.db, organizationId, id);
  if (!role) throw appError('role.not_found', `No role ${id} in this organization.`);
  if (role.kind === 'built_in') throw appError('role.built_in', `"${role.name}" is a built-in role; create a custom role instead.`);
  return role;
}

export async function updateRole(
  deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number,
  changes: { name?: string | undefined; description?: string | undefined; privileges?: string[] | undefined },
): Promise<Role> {
  authorize(ctx.principal, organizationId, 'account:manage');
  await customRole(deps, organizationId, id);
  const privileges = changes.privileges ? assertPrivileges(changes.privileges) : undefined;
  const updated = await deps.db.transaction().execute(async (trx) => {
    if (changes.name !== undefined && (await roleNameExists(trx, organizationId, changes.name.trim(), id))) {
      throw appError('role.name_taken', `A role named "${changes.name.trim()}" already exists.`);
    }
    const ok = await updateRoleRow(trx, id, version, {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.description !== undefined ? { description: changes.description.trim() } : {}),
      updated_at: deps.clock.now().toISOString(),
    }, privileges);
    if (!ok) staleVersion('role');
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'role.updated', targetType: 'role', targetId: id, data: { privileges } });
    return (await findRole(trx, organizationId, id))!;
  });
  // Cached access-token principals carry their role's privileges and name: dropped on every
  // instance, so a privilege taken away is refused on the next request.
  await deps.invalidation.organizationChanged(organizationId);
  return updated;
}

export async function deleteRole(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number): Promise<void> {
  authorize(ctx.principal, organizationId, 'account:manage');
  const role = await customRole(deps, organizationId, id);
  await deps.db.transaction().execute(async (trx) => {
    const users = await countUsersWithRole(trx, id);
    if (users > 0) throw appError('role.in_use', `"${role.name}" is assigned to ${users} user(s); give them another role first.`);
    if (!(await deleteRoleRow(trx, id, version))) staleVersion('role');
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'role.deleted', targetType: 'role', targetId: id, data: { name: role.name } });
  });
  // Nobody held the role (checked above), so no cached principal carries it: nothing to drop.
}

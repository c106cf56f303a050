import type { Executor } from '../db/database.js';
import { findOwner } from '../modules/admins/admin.repository.js';
import { findOrganizationById, listOrganizations, type Organization } from '../modules/organizations/organization.repository.js';
import { findRolePrivileges } from '../modules/roles/role.repository.js';
import type { Principal } from '../modules/sessions/principal.js';
import { CliError } from './output.js';

/** An organization named by id or 9-digit account number. */
export async function resolveOrganization(db: Executor, ref: string): Promise<Organization> {
  const byId = /^[0-9a-f-]{36}$/.test(ref) ? await findOrganizationById(db, ref) : null;
  if (byId) return byId;
  const all = await listOrganizations(db);
  const match = all.find((o) => o.accountNumber === ref);
  if (!match) throw new CliError(`No organization "${ref}". Known: ${all.map((o) => `${o.accountNumber} (${o.name})`).join(', ') || 'none; run apiusers init'}`);
  return match;
}

/**
 * The CLI runs on the server with direct database access, so it is as trusted as the Account
 * owner: it acts as the owner, and the audit log records `via: cli`.
 */
export async function ownerPrincipal(db: Executor, organization: Organization): Promise<Principal> {
  const owner = await findOwner(db, organization.id);
  if (!owner) throw new CliError(`${organization.accountNumber} has no Account owner yet.`);
  return {
    userId: owner.id, organizationId: organization.id, email: `${owner.email} (cli)`, roleId: owner.roleId, roleName: owner.roleName,
    privileges: await findRolePrivileges(db, owner.roleId), via: 'cli', sessionId: null,
  };
}

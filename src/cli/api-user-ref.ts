import type { ApiUser } from '../modules/api-users/api-user.repository.js';
import { getApiUser } from '../modules/api-users/api-user.service.js';
import { listDirectoryPage } from '../modules/directory/directory.service.js';
import { CliError } from './output.js';
import type { OwnerSession } from './owner-session.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The API user a command names, by id or by its generated username, read fresh (with its current
 * version, which the change then carries as If-Match would). The lookup goes through the same
 * services as GET …/api-users, so it sees only this organization.
 * @example const user = await findApiUserByRef(session, 'apiuser-038271645590@apiconnector.example');
 */
export async function findApiUserByRef({ deps, org, ctx }: OwnerSession, ref: string): Promise<ApiUser> {
  if (ID.test(ref)) return getApiUser(deps, ctx, org.id, ref.toLowerCase());
  const wanted = ref.trim().toLowerCase();
  const page = await listDirectoryPage(deps, ctx, org.id, 'api-users:read', 'api', { q: wanted, limit: 200 });
  const match = page.data.find((e) => e.username?.toLowerCase() === wanted);
  if (!match) throw new CliError(`No API user "${ref}" in ${org.accountNumber}; apiusers api-users list --org ${org.accountNumber} shows them.`);
  return getApiUser(deps, ctx, org.id, match.id);
}

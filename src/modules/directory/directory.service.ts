import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import type { Privilege } from '../roles/privileges.js';
import { authorize } from '../sessions/principal.js';
import { searchDirectory, type DirectoryQuery, type DirectorySort } from './directory.repository.js';
import { presentDirectoryPage } from './directory.schemas.js';

export interface DirectoryRequest {
  q?: string | undefined;
  status?: DirectoryQuery['status'];
  role_id?: string | undefined;
  application?: string | undefined;
  sort?: DirectorySort | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * One page of people and/or API users, as the Movius Administrators tool lists them, with the
 * organization's time zone so clients show times as the portal does.
 */
export async function listDirectoryPage(
  deps: Pick<AppDeps, 'db' | 'clock'>, ctx: RequestContext, organizationId: string, privilege: Privilege,
  kind: 'admin' | 'api' | undefined, request: DirectoryRequest,
) {
  authorize(ctx.principal, organizationId, privilege);
  const limit = request.limit ?? 50;
  const after = request.cursor !== undefined ? decodeCursor(request.cursor, 2) : undefined;
  if (after === null) throw appError('request.cursor_invalid', 'The cursor is not one this API returned (or the sort changed); start again without it.');
  const org = await findOrganizationById(deps.db, organizationId);
  if (!org) throw appError('organization.not_found', `No organization ${organizationId}.`);
  const rows = await searchDirectory(deps.db, {
    organizationId, kind, q: request.q?.trim() || undefined, status: request.status, roleId: request.role_id,
    applicationKey: request.application, sort: request.sort ?? 'name', after: after as [string, string] | undefined, limit: limit + 1,
  });
  return presentDirectoryPage(rows, limit, org, deps.clock.now(), encodeCursor);
}

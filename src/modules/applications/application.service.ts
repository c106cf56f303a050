import { isUniqueViolation } from '../../db/errors.js';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import { newId } from '../../lib/ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';
import {
  countApplicationUsers, deleteApplication as deleteApplicationRow, findApplicationById, insertApplication,
  listApplications as listApplicationRows, updateApplication as updateApplicationRow, type Application,
} from './application.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'invalidation'>;

/** Anyone who may see API users may see the applications they connect to. */
export async function listApplications(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string): Promise<Application[]> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  return listApplicationRows(deps.db, organizationId);
}

export async function getApplication(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string, id: string): Promise<Application> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  const app = await findApplicationById(deps.db, organizationId, id);
  if (!app) throw appError('application.not_found', `No application ${id} in this organization.`);
  return app;
}

/** A custom application, e.g. the organization's own app built with the platform. */
export async function createApplication(deps: Deps, ctx: RequestContext, organizationId: string, input: { key: string; name: string; description?: string | undefined }): Promise<Application> {
  authorize(ctx.principal, organizationId, 'applications:manage');
  const now = deps.clock.now();
  const id = newId(now);
  return deps.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('applications').select('id').where('organization_id', '=', organizationId).where('key', '=', input.key).executeTakeFirst();
    if (taken) throw appError('application.key_taken', `An application with key "${input.key}" already exists.`);
    try {
      await insertApplication(trx, {
        id, organization_id: organizationId, key: input.key, name: input.name.trim(), description: input.description?.trim() ?? '',
        kind: 'custom', created_at: now.toISOString(), updated_at: now.toISOString(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw appError('application.key_taken', `An application with key "${input.key}" already exists.`);
      throw error;
    }
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'application.created', targetType: 'application', targetId: id, data: { key: input.key } });
    return (await findApplicationById(trx, organizationId, id))!;
  });
}

async function customApplication(deps: Pick<AppDeps, 'db'>, organizationId: string, id: string): Promise<Application> {
  const app = await findApplicationById(deps.db, organizationId, id);
  if (!app) throw appError('application.not_found', `No application ${id} in this organization.`);
  if (app.kind === 'built_in') throw appError('application.built_in', `${app.name} is built in; it cannot be changed or deleted.`);
  return app;
}

export async function updateApplication(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number, changes: { name?: string | undefined; description?: string | undefined }): Promise<Application> {
  authorize(ctx.principal, organizationId, 'applications:manage');
  await customApplication(deps, organizationId, id);
  const updated = await deps.db.transaction().execute(async (trx) => {
    const ok = await updateApplicationRow(trx, id, version, {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.description !== undefined ? { description: changes.description.trim() } : {}),
      updated_at: deps.clock.now().toISOString(),
    });
    if (!ok) staleVersion('application');
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'application.updated', targetType: 'application', targetId: id });
    return (await findApplicationById(trx, organizationId, id))!;
  });
  // Cached account-info answers list the applications of their API user by name.
  await deps.invalidation.organizationChanged(organizationId);
  return updated;
}

/** Refused while API users connect as the application: their integration would fail silently. */
export async function deleteApplication(deps: Deps, ctx: RequestContext, organizationId: string, id: string, version: number): Promise<void> {
  authorize(ctx.principal, organizationId, 'applications:manage');
  const app = await customApplication(deps, organizationId, id);
  await deps.db.transaction().execute(async (trx) => {
    const users = await countApplicationUsers(trx, id);
    if (users > 0) throw appError('application.in_use', `${users} API user(s) connect as ${app.name}; remove it from them first.`, { api_users: users });
    if (!(await deleteApplicationRow(trx, id, version))) staleVersion('application');
    await recordAudit(trx, deps.clock, ctx, { organizationId, action: 'application.deleted', targetType: 'application', targetId: id, data: { key: app.key } });
  });
  // No API user connected as it when the count was read; one assigned concurrently loses it with
  // the row (cascade), and a cached verification of theirs must not keep it.
  await deps.invalidation.organizationChanged(organizationId);
}

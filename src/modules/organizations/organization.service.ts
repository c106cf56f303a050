import type { Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { AppDeps } from '../../http/deps.js';
import { appError, invalidField } from '../../http/app-error.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { randomDigits } from '../../lib/random.js';
import { isTimeZone } from '../../lib/time-zones.js';
import { insertBuiltInApplications } from '../applications/application.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';
import {
  findOrganizationById,
  insertOrganization,
  updateOrganization as updateOrganizationRow,
  type Organization,
} from './organization.repository.js';

export interface NewOrganization {
  name: string;
  timeZone: string;
}

function assertTimeZone(zone: string, pointer: string): void {
  if (!isTimeZone(zone)) throw invalidField('body', pointer, `"${zone}" is not an IANA time zone such as America/Chicago or Europe/London`);
}

/**
 * Creates an organization with a fresh 9-digit account number (first digit non-zero), retrying
 * on the rare collision. Runs in the caller's transaction.
 */
export async function createOrganization(trx: Executor, clock: Clock, ctx: RequestContext, input: NewOrganization, pointer = '/organization'): Promise<Organization> {
  assertTimeZone(input.timeZone, `${pointer}/time_zone`);
  const now = clock.now().toISOString();
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = newId(clock.now());
    const accountNumber = String(1 + Number(randomDigits(1)) % 9) + randomDigits(8);
    const taken = await trx.selectFrom('organizations').select('id').where('account_number', '=', accountNumber).executeTakeFirst();
    if (taken) continue;
    try {
      await insertOrganization(trx, { id, account_number: accountNumber, name: input.name.trim(), time_zone: input.timeZone, created_at: now, updated_at: now });
    } catch (error) {
      if (isUniqueViolation(error)) continue;
      throw error;
    }
    await insertBuiltInApplications(trx, id, clock.now());
    await recordAudit(trx, clock, ctx, { organizationId: id, action: 'organization.created', targetType: 'organization', targetId: id, data: { account_number: accountNumber } });
    return (await findOrganizationById(trx, id))!;
  }
  throw new Error('could not allocate a unique account number after 8 attempts');
}

/** @example await getOrganization(deps, ctx, orgId) */
export async function getOrganization(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string): Promise<Organization> {
  authorize(ctx.principal, organizationId, null);
  const org = await findOrganizationById(deps.db, organizationId);
  if (!org) throw appError('organization.not_found', `No organization ${organizationId}.`);
  return org;
}

export interface OrganizationChanges {
  name?: string | undefined;
  timeZone?: string | undefined;
}

/** Renames or moves the organization's time zone; needs "Can manage account". */
export async function updateOrganization(
  deps: Pick<AppDeps, 'db' | 'clock' | 'invalidation'>,
  ctx: RequestContext,
  organizationId: string,
  version: number,
  changes: OrganizationChanges,
): Promise<Organization> {
  authorize(ctx.principal, organizationId, 'account:manage');
  if (changes.timeZone !== undefined) assertTimeZone(changes.timeZone, '/time_zone');
  return deps.db.transaction().execute(async (trx) => {
    const updated = await updateOrganizationRow(trx, organizationId, version, {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.timeZone !== undefined ? { time_zone: changes.timeZone } : {}),
      updated_at: deps.clock.now().toISOString(),
    });
    if (!updated) staleVersion('organization');
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'organization.updated', targetType: 'organization', targetId: organizationId,
      data: { fields: Object.keys(changes).filter((k) => changes[k as keyof OrganizationChanges] !== undefined) },
    });
    return updated;
  }).then(async (updated) => {
    // Cached verifications carry the organization's name and zone (account-info, verify): dropped
    // on every instance, so the next answer shows the change.
    await deps.invalidation.organizationChanged(organizationId);
    return updated;
  });
}

import type { Clock } from '../../lib/clock.js';
import { readCredentialPolicy } from '../organizations/credential-policy.js';
import { listOrganizations, type Organization } from '../organizations/organization.repository.js';
import type { MaintenanceCounts, MaintenanceDeps, OrganizationPass } from './credential-maintenance-pass.js';
import { listCredentialManagerEmails } from './credential-notice.repository.js';
import { remindExpiring } from './expiry-reminders.js';
import { handleIdle } from './idle-credential-enforcement.js';
import type { WatchedCredential } from './watched-credential.repository.js';

function recipients(c: WatchedCredential, managers: string[]): string[] {
  return [...new Set([...(c.user.email ? [c.user.email.toLowerCase()] : []), ...managers.map((m) => m.toLowerCase())])];
}

async function maintainOrganization(deps: MaintenanceDeps, clock: Clock, org: Organization, counts: MaintenanceCounts): Promise<void> {
  const policy = await readCredentialPolicy(deps.db, org.id);
  let managers: string[] | undefined;
  const recipientsOf = async (c: WatchedCredential) => recipients(c, (managers ??= await listCredentialManagerEmails(deps.db, org.id)));
  const pass: OrganizationPass = { deps, clock, org, policy, recipientsOf, counts };
  await remindExpiring(pass);
  await handleIdle(pass);
}

/**
 * One pass over every organization, per its credential policy: expiry reminders, idle warnings
 * and idle revocations. Safe to run on several instances at once: emails are deduplicated by
 * their outbox key, and a revocation only changes a still-live, still-unused credential.
 * @example const counts = await runCredentialMaintenance(deps, clock.now());
 * @throws AggregateError of the organizations that failed, after trying all, unless `onError` takes them
 */
export async function runCredentialMaintenance(
  deps: MaintenanceDeps, now: Date, onError?: (error: unknown, organizationId: string) => void,
): Promise<MaintenanceCounts> {
  // Every row this pass writes carries the same time, the one it was asked to run at.
  const clock: Clock = { now: () => new Date(now) };
  const counts: MaintenanceCounts = { organizations: 0, expiryReminders: 0, idleWarnings: 0, idleRevocations: 0 };
  const failures: unknown[] = [];
  for (const org of await listOrganizations(deps.db)) {
    try {
      await maintainOrganization(deps, clock, org, counts);
      counts.organizations += 1;
    } catch (error) {
      if (!onError) failures.push(error);
      else onError(error, org.id);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `credential maintenance failed for ${failures.length} organization(s)`);
  return counts;
}

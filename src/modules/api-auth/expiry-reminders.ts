import { enqueueEmail } from '../mail/email.js';
import { DAY_MS, type OrganizationPass } from './credential-maintenance-pass.js';
import { expiryReminder } from './credential-notice-text.js';
import { findOutboxQueuedAt } from './credential-notice.repository.js';
import { listExpiringCredentials, type WatchedCredential } from './watched-credential.repository.js';

/**
 * (a) One reminder per credential and expiry date; a new expiry date is a new reminder.
 * @example await remindExpiring(pass);
 */
export async function remindExpiring({ deps, clock, org, policy, recipientsOf, counts }: OrganizationPass): Promise<void> {
  if (policy.expiryReminderDays === 0) return;
  const now = clock.now();
  const until = new Date(now.getTime() + policy.expiryReminderDays * DAY_MS).toISOString();
  const expiring = await listExpiringCredentials(deps.db, org.id, now.toISOString(), until);
  const keyOf = (c: WatchedCredential) => `expiry-reminder:${c.id}:${c.expiresAt}`;
  const queued = await findOutboxQueuedAt(deps.db, expiring.map(keyOf));
  for (const c of expiring.filter((e) => !queued.has(keyOf(e)))) {
    const to = await recipientsOf(c);
    if (to.length === 0) continue;
    const { created } = await enqueueEmail(deps.db, clock, { organizationId: org.id, to: to.join(', '), dedupeKey: keyOf(c), ...expiryReminder(org, c) });
    if (created) counts.expiryReminders += 1;
  }
}

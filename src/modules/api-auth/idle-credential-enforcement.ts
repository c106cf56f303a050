import { systemContext } from '../../http/request-context.js';
import type { Clock } from '../../lib/clock.js';
import { recordAudit } from '../audit/record-audit.js';
import { enqueueEmail } from '../mail/email.js';
import type { Organization } from '../organizations/organization.repository.js';
import { DAY_MS, type MaintenanceDeps, type OrganizationPass } from './credential-maintenance-pass.js';
import { idleWarning } from './credential-notice-text.js';
import { findOutboxQueuedAt } from './credential-notice.repository.js';
import { listIdleCredentials, revokeIdleCredential, type WatchedCredential } from './watched-credential.repository.js';

/**
 * (b) Idle credentials: one warning per idle period (a use starts a new one), then, with
 * 'warn_then_disable', revocation of the credential if still unused after the grace period.
 * The warning's outbox job is its record: the key names the idle period, created_at the time.
 * Were old jobs ever purged, a credential would be warned again, never revoked unwarned.
 * @example await handleIdle(pass);
 */
export async function handleIdle({ deps, clock, org, policy, recipientsOf, counts }: OrganizationPass): Promise<void> {
  if (policy.idleAction === 'none') return;
  const now = clock.now();
  const idleBefore = new Date(now.getTime() - policy.idleDays * DAY_MS).toISOString();
  const idle = await listIdleCredentials(deps.db, { organizationId: org.id, idleBefore, now: now.toISOString(), watchedOnly: true });
  const warningKey = (c: WatchedCredential) => `idle-warning:${c.id}:${c.idleSince}`;
  // A warning sent before the switch to 'warn_then_disable' did not announce a revocation:
  // that credential gets a second warning that does, under its own key, before any revocation.
  const revocationWarningKey = (c: WatchedCredential) => `${warningKey(c)}:revocation`;
  const announcedFrom = policy.idleAction === 'warn_then_disable' ? policy.idleActionChangedAt : null;
  const queued = await findOutboxQueuedAt(deps.db, idle.flatMap((c) => [warningKey(c), revocationWarningKey(c)]));
  const graceMs = policy.idleDisableAfterWarningDays * DAY_MS;
  for (const c of idle) {
    let key = warningKey(c);
    let warned = queued.get(key);
    if (warned !== undefined && announcedFrom !== null && warned < announcedFrom) {
      key = revocationWarningKey(c);
      warned = queued.get(key);
    }
    if (warned === undefined) {
      if (await warnIdle({ deps, clock, org, policy, recipientsOf, counts }, c, key)) counts.idleWarnings += 1;
    } else if (policy.idleAction === 'warn_then_disable' && new Date(warned).getTime() + graceMs <= now.getTime()) {
      if (await revokeIdle(deps, clock, org, c, warned)) counts.idleRevocations += 1;
    }
  }
}

const CONTEXT = systemContext('credential-maintenance');

async function warnIdle({ deps, clock, org, policy, recipientsOf }: OrganizationPass, c: WatchedCredential, dedupeKey: string): Promise<boolean> {
  const to = await recipientsOf(c);
  if (to.length === 0) return false;
  const revokeAfter = new Date(clock.now().getTime() + policy.idleDisableAfterWarningDays * DAY_MS).toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const job = await enqueueEmail(trx, clock, { organizationId: org.id, to: to.join(', '), dedupeKey, ...idleWarning(org, policy, c, revokeAfter) });
    // Another instance queued it first: that one records the warning.
    if (!job.created) return false;
    await recordAudit(trx, clock, CONTEXT, {
      organizationId: org.id, action: 'credential.idle_warning', targetType: 'credential', targetId: c.id,
      data: {
        api_user_id: c.user.id, kind: c.kind, name: c.name, hint: c.hint, idle_since: c.idleSince, idle_days: policy.idleDays, action: policy.idleAction,
        ...(policy.idleAction === 'warn_then_disable' ? { revoke_after: revokeAfter } : {}),
      },
    });
    return true;
  });
}

/** Revokes the credential, not the API user, and drops the user's cached verifications. */
async function revokeIdle(deps: MaintenanceDeps, clock: Clock, org: Organization, c: WatchedCredential, warnedAt: string): Promise<boolean> {
  const revoked = await deps.db.transaction().execute(async (trx) => {
    if (!(await revokeIdleCredential(trx, c.id, c.lastUsedAt, clock.now().toISOString()))) return false;
    await recordAudit(trx, clock, CONTEXT, {
      organizationId: org.id, action: 'credential.idle_revoked', targetType: 'credential', targetId: c.id,
      data: { api_user_id: c.user.id, kind: c.kind, name: c.name, hint: c.hint, idle_since: c.idleSince, warned_at: warnedAt },
    });
    return true;
  });
  // After commit: no instance may keep accepting the revoked credential from its cache.
  if (revoked) await deps.invalidation.userChanged(c.user.id);
  return revoked;
}

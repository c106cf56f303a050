import type { Executor } from '../../db/database.js';
import type { AppDeps } from '../../http/deps.js';
import { systemContext } from '../../http/request-context.js';
import type { Clock } from '../../lib/clock.js';
import { timeZoneLabel } from '../../lib/time-zones.js';
import { recordAudit } from '../audit/record-audit.js';
import { enqueueEmail } from '../mail/email.js';
import type { WorkerLogger } from '../mail/outbox-worker.js';
import { readCredentialPolicy, type CredentialPolicy } from '../organizations/credential-policy.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import { listOrganizations, type Organization } from '../organizations/organization.repository.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'invalidation'>;

const DAY_MS = 86_400_000;
/** Credentials the maintenance watches: what an integration signs in with. */
const WATCHED_KINDS = ['api_key', 'password'] as const;
/** Privileges whose holders are told about their organization's expiring and idle credentials. */
const NOTIFIED_PRIVILEGES = ['api-users:manage', 'account:manage'];

/** A credential with the API user it belongs to, as the maintenance and the idle list see it. */
export interface WatchedCredential {
  id: string;
  kind: string;
  name: string;
  hint: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  /** last_used_at, or created_at when it was never used. */
  idleSince: string;
  user: { id: string; username: string; firstName: string; lastName: string; email: string | null; status: string };
}

function credentialsWithUsers(db: Executor, organizationId: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select((eb) => [
      'c.id', 'c.kind', 'c.name', 'c.hint', 'c.expires_at', 'c.last_used_at', 'c.created_at',
      eb.fn.coalesce('c.last_used_at', 'c.created_at').as('idle_since'),
      'u.id as user_id', 'u.username', 'u.first_name', 'u.last_name', 'u.email', 'u.status',
    ])
    .where('c.organization_id', '=', organizationId)
    .where('u.kind', '=', 'api')
    .where('c.revoked_at', 'is', null);
}

type WatchedRow = Awaited<ReturnType<ReturnType<typeof credentialsWithUsers>['execute']>>[number];

function toWatchedCredential(row: WatchedRow): WatchedCredential {
  return {
    id: row.id, kind: row.kind, name: row.name, hint: row.hint, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, createdAt: row.created_at,
    idleSince: row.idle_since,
    user: { id: row.user_id, username: row.username ?? '', firstName: row.first_name, lastName: row.last_name, email: row.email === '' ? null : row.email, status: row.status },
  };
}

/** Live, not replaced credentials of enabled API users expiring in (now, until]. */
export async function listExpiringCredentials(db: Executor, organizationId: string, now: string, until: string): Promise<WatchedCredential[]> {
  const rows = await credentialsWithUsers(db, organizationId)
    .where('u.status', '=', 'enabled')
    .where('c.kind', 'in', WATCHED_KINDS)
    // A rolled key expires on purpose when its grace period ends: no reminder for it.
    .where('c.replaced_by', 'is', null)
    .where('c.expires_at', '>', now)
    .where('c.expires_at', '<=', until)
    .orderBy('c.expires_at').orderBy('c.id')
    .execute();
  return rows.map(toWatchedCredential);
}

export interface IdleCredentialQuery {
  organizationId: string;
  /** Idle: last used (or created, if never used) before this time. */
  idleBefore: string;
  /** Expired credentials are not listed: they cannot be used anyway. */
  now: string;
  /** Only enabled API users, password and API keys: what the maintenance acts on. */
  watchedOnly?: boolean;
  /** Keyset: rows after this (idle_since, id). */
  after?: [string, string] | undefined;
  limit?: number;
}

/** Live credentials of API users unused since `idleBefore`, longest idle first. */
export async function listIdleCredentials(db: Executor, q: IdleCredentialQuery): Promise<WatchedCredential[]> {
  let query = credentialsWithUsers(db, q.organizationId)
    .where((eb) => eb(eb.fn.coalesce('c.last_used_at', 'c.created_at'), '<', q.idleBefore))
    .where((eb) => eb.or([eb('c.expires_at', 'is', null), eb('c.expires_at', '>', q.now)]));
  if (q.watchedOnly) query = query.where('u.status', '=', 'enabled').where('c.kind', 'in', WATCHED_KINDS);
  if (q.after) {
    const [since, id] = q.after;
    query = query.where((eb) => {
      const idleSince = eb.fn.coalesce('c.last_used_at', 'c.created_at');
      return eb.or([eb(idleSince, '>', since), eb.and([eb(idleSince, '=', since), eb('c.id', '>', id)])]);
    });
  }
  const ordered = query.orderBy('idle_since').orderBy('c.id');
  const rows = await (q.limit !== undefined ? ordered.limit(q.limit) : ordered).execute();
  return rows.map(toWatchedCredential);
}

/** Emails of the organization's enabled administrators with a privilege in NOTIFIED_PRIVILEGES. */
export async function listCredentialManagerEmails(db: Executor, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('role_privileges', 'role_privileges.role_id', 'users.role_id')
    .select('users.email')
    .distinct()
    .where('users.organization_id', '=', organizationId)
    .where('users.kind', '=', 'admin')
    .where('users.status', '=', 'enabled')
    .where('role_privileges.privilege', 'in', NOTIFIED_PRIVILEGES)
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}

/** When each of the given outbox jobs was queued, by dedupe key (indexed: unique). */
export async function findOutboxQueuedAt(db: Executor, dedupeKeys: string[]): Promise<Map<string, string>> {
  const queued = new Map<string, string>();
  for (let i = 0; i < dedupeKeys.length; i += 500) {
    const rows = await db.selectFrom('outbox').select(['dedupe_key', 'created_at']).where('dedupe_key', 'in', dedupeKeys.slice(i, i + 500)).execute();
    for (const row of rows) queued.set(row.dedupe_key, row.created_at);
  }
  return queued;
}

/** Revokes the credential if it is still live and still unused since `lastUsedAt`. */
export async function revokeIdleCredential(db: Executor, id: string, lastUsedAt: string | null, at: string): Promise<boolean> {
  const result = await db
    .updateTable('credentials')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('last_used_at', lastUsedAt === null ? 'is' : '=', lastUsedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function describeCredential(c: WatchedCredential): string {
  if (c.kind === 'password') return 'password';
  return `API key "${c.name}"${c.hint ? ` (${c.hint})` : ''}`;
}

function apiUserLabel(c: WatchedCredential): string {
  const name = `${c.user.firstName} ${c.user.lastName}`.trim();
  return name ? `${name} (${c.user.username})` : c.user.username;
}

/** "Mar 2, 2026, 2:18 PM US - Central (CST)": a time as the organization reads it. */
function inZone(timestamp: string, org: Organization): string {
  const at = new Date(timestamp);
  const local = new Intl.DateTimeFormat('en-US', { timeZone: org.timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
  return `${local} ${timeZoneLabel(org.timeZone, at)}`;
}

function recipients(c: WatchedCredential, managers: string[]): string[] {
  return [...new Set([...(c.user.email ? [c.user.email.toLowerCase()] : []), ...managers.map((m) => m.toLowerCase())])];
}

const FOOTER = "You receive this as the API user's contact or as an administrator who manages API users.";

function expiryReminder(org: Organization, c: WatchedCredential) {
  const what = describeCredential(c);
  return {
    subject: `The ${what} of API user ${c.user.username} expires on ${inZone(c.expiresAt!, org)}`,
    text: [
      `${organizationDisplayName(org)}: a credential of the API user ${apiUserLabel(c)} expires soon.`,
      '',
      `  Credential: ${what}`,
      `  Expires:    ${inZone(c.expiresAt!, org)} (${c.expiresAt} UTC)`,
      '',
      `From then on, calls made with it are refused. Before that, ${c.kind === 'password' ? 'set a new password' : 'create a new API key'} for ${c.user.username}, move the integration to it, then revoke the old one.`,
      '',
      FOOTER,
    ].join('\n'),
  };
}

function idleWarning(org: Organization, policy: CredentialPolicy, c: WatchedCredential, revokeAfter: string) {
  const what = describeCredential(c);
  const since = c.lastUsedAt ? `has not been used since ${inZone(c.lastUsedAt, org)}` : `has never been used since it was created on ${inZone(c.createdAt, org)}`;
  const consequence = policy.idleAction === 'warn_then_disable'
    ? `Unless it is used, it will be revoked on or after ${inZone(revokeAfter, org)}. The API user itself stays enabled.`
    : 'If the integration no longer needs it, revoke it: an unused credential is only a risk.';
  return {
    subject: `Unused ${what} of API user ${c.user.username}`,
    text: [`${organizationDisplayName(org)}: the ${what} of the API user ${apiUserLabel(c)} ${since}.`, '', consequence, '', FOOTER].join('\n'),
  };
}

export interface MaintenanceCounts {
  organizations: number;
  expiryReminders: number;
  idleWarnings: number;
  idleRevocations: number;
}

interface OrganizationPass {
  deps: Deps;
  clock: Clock;
  org: Organization;
  policy: CredentialPolicy;
  /** Who gets the emails about a credential: its API user's contact and the managers. */
  recipientsOf(c: WatchedCredential): Promise<string[]>;
  counts: MaintenanceCounts;
}

/** (a) One reminder per credential and expiry date; a new expiry date is a new reminder. */
async function remindExpiring({ deps, clock, org, policy, recipientsOf, counts }: OrganizationPass): Promise<void> {
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

/**
 * (b) Idle credentials: one warning per idle period (a use starts a new one), then, with
 * 'warn_then_disable', revocation of the credential if still unused after the grace period.
 * The warning's outbox job is its record: the key names the idle period, created_at the time.
 * Were old jobs ever purged, a credential would be warned again, never revoked unwarned.
 */
async function handleIdle({ deps, clock, org, policy, recipientsOf, counts }: OrganizationPass): Promise<void> {
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
async function revokeIdle(deps: Deps, clock: Clock, org: Organization, c: WatchedCredential, warnedAt: string): Promise<boolean> {
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

async function maintainOrganization(deps: Deps, clock: Clock, org: Organization, counts: MaintenanceCounts): Promise<void> {
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
  deps: Deps, now: Date, onError?: (error: unknown, organizationId: string) => void,
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

/** How often `serve` runs the maintenance: reminders and idle checks are about days, not seconds. */
export const MAINTENANCE_INTERVAL_MS = 15 * 60_000;

/**
 * Runs the maintenance once now (off the start-up path) and then every 15 minutes, until
 * stopped. A failed pass is logged and the next one runs as planned.
 * @example const maintenance = startCredentialMaintenance(deps, app.log); …; await maintenance.stop();
 */
export function startCredentialMaintenance(deps: Deps, logger: WorkerLogger, options: { intervalMs?: number } = {}): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? MAINTENANCE_INTERVAL_MS;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function pass(): Promise<void> {
    try {
      const counts = await runCredentialMaintenance(deps, deps.clock.now(), (error, organizationId) => {
        logger.error({ err: error, organization_id: organizationId }, 'credential maintenance failed for an organization');
      });
      if (counts.expiryReminders + counts.idleWarnings + counts.idleRevocations > 0) logger.info({ ...counts }, 'credential maintenance done');
    } catch (error) {
      logger.error({ err: error }, 'credential maintenance failed; trying again at the next interval');
    }
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
    // The HTTP server keeps the process alive; this timer must not.
    timer.unref();
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

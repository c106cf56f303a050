import { appError, invalidField } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { staleVersion } from '../../http/etag.js';
import type { RequestContext } from '../../http/request-context.js';
import type { Executor } from '../../db/database.js';
import { isTier, type Tier } from '../api-auth/rate-limit-tiers.js';
import { recordAudit } from '../audit/record-audit.js';
import { authorize } from '../sessions/principal.js';

/** What happens to a credential nobody has used for `idleDays`. */
export type IdleAction = 'none' | 'warn' | 'warn_then_disable';
export const IDLE_ACTIONS: readonly IdleAction[] = ['none', 'warn', 'warn_then_disable'];

/**
 * An organization's rules for API user credentials, kept in organizations.settings (JSON text,
 * snake_case keys, next to any other setting) and read with a default for every missing or
 * unreadable value, so an organization that never saved a policy has the defaults below.
 */
export interface CredentialPolicy {
  /** The tier of API users whose own tier is null. */
  defaultRateLimitTier: Tier;
  /** Longest an API key may live, from its creation; null: no maximum. */
  maxKeyLifetimeDays: number | null;
  /** Every new API key must carry an expiry date. */
  requireKeyExpiry: boolean;
  /** Days before expiry when the API user's contact and the administrators are reminded; 0: never. */
  expiryReminderDays: number;
  /** A credential unused for this many days is idle. */
  idleDays: number;
  idleAction: IdleAction;
  /** With 'warn_then_disable': days between the warning and the revocation. */
  idleDisableAfterWarningDays: number;
  /**
   * When `idleAction` last changed (not part of the API): an idle warning sent before the switch
   * to 'warn_then_disable' did not announce a revocation, so it does not count as one.
   */
  idleActionChangedAt: string | null;
}

export const DEFAULT_CREDENTIAL_POLICY: Readonly<CredentialPolicy> = Object.freeze({
  defaultRateLimitTier: 'medium',
  maxKeyLifetimeDays: null,
  requireKeyExpiry: false,
  expiryReminderDays: 7,
  idleDays: 90,
  idleAction: 'none',
  idleDisableAfterWarningDays: 14,
  idleActionChangedAt: null,
});

/** Inclusive bounds of the day counts; the request schemas use the same. */
export const POLICY_DAY_LIMITS = {
  maxKeyLifetimeDays: [1, 3650],
  expiryReminderDays: [0, 365],
  idleDays: [1, 3650],
  idleDisableAfterWarningDays: [1, 365],
} as const;

/** The policy's stored (and API) form: snake_case. */
export interface CredentialPolicySettings {
  default_rate_limit_tier: Tier;
  max_key_lifetime_days: number | null;
  require_key_expiry: boolean;
  expiry_reminder_days: number;
  idle_days: number;
  idle_action: IdleAction;
  idle_disable_after_warning_days: number;
}

const FIELDS: ReadonlyArray<[Exclude<keyof CredentialPolicy, 'idleActionChangedAt'>, keyof CredentialPolicySettings]> = [
  ['defaultRateLimitTier', 'default_rate_limit_tier'],
  ['maxKeyLifetimeDays', 'max_key_lifetime_days'],
  ['requireKeyExpiry', 'require_key_expiry'],
  ['expiryReminderDays', 'expiry_reminder_days'],
  ['idleDays', 'idle_days'],
  ['idleAction', 'idle_action'],
  ['idleDisableAfterWarningDays', 'idle_disable_after_warning_days'],
];

function settingsObject(settingsJson: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(settingsJson);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function days(value: unknown, [min, max]: readonly [number, number], fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

/**
 * The policy in an organization's settings JSON; each missing or invalid value is its default.
 * @example parseCredentialPolicy('{"idle_action":"warn"}').idleAction // 'warn'
 */
export function parseCredentialPolicy(settingsJson: string): CredentialPolicy {
  const s = settingsObject(settingsJson);
  const d = DEFAULT_CREDENTIAL_POLICY;
  const maxLifetime = s.max_key_lifetime_days === null ? null : days(s.max_key_lifetime_days, POLICY_DAY_LIMITS.maxKeyLifetimeDays, -1);
  return {
    defaultRateLimitTier: isTier(s.default_rate_limit_tier) ? s.default_rate_limit_tier : d.defaultRateLimitTier,
    maxKeyLifetimeDays: maxLifetime === -1 ? d.maxKeyLifetimeDays : maxLifetime,
    requireKeyExpiry: typeof s.require_key_expiry === 'boolean' ? s.require_key_expiry : d.requireKeyExpiry,
    expiryReminderDays: days(s.expiry_reminder_days, POLICY_DAY_LIMITS.expiryReminderDays, d.expiryReminderDays),
    idleDays: days(s.idle_days, POLICY_DAY_LIMITS.idleDays, d.idleDays),
    idleAction: IDLE_ACTIONS.includes(s.idle_action as IdleAction) ? (s.idle_action as IdleAction) : d.idleAction,
    idleDisableAfterWarningDays: days(s.idle_disable_after_warning_days, POLICY_DAY_LIMITS.idleDisableAfterWarningDays, d.idleDisableAfterWarningDays),
    idleActionChangedAt: typeof s.idle_action_changed_at === 'string' ? s.idle_action_changed_at : d.idleActionChangedAt,
  };
}

/** @example presentCredentialPolicy(DEFAULT_CREDENTIAL_POLICY).idle_days // 90 */
export function presentCredentialPolicy(policy: CredentialPolicy): CredentialPolicySettings {
  return Object.fromEntries(FIELDS.map(([camel, snake]) => [snake, policy[camel]])) as unknown as CredentialPolicySettings;
}

/** The organization's settings JSON with the policy written in; other settings are kept. */
function withPolicy(settingsJson: string, policy: CredentialPolicy): string {
  return JSON.stringify({ ...settingsObject(settingsJson), ...presentCredentialPolicy(policy), idle_action_changed_at: policy.idleActionChangedAt });
}

export async function findOrganizationSettings(db: Executor, organizationId: string): Promise<{ settings: string; version: number } | null> {
  const row = await db.selectFrom('organizations').select(['settings', 'version']).where('id', '=', organizationId).executeTakeFirst();
  return row ? { settings: row.settings, version: Number(row.version) } : null;
}

/** Optimistic: writes only if the version is still `expectedVersion`. @returns the new version, or null */
export async function updateOrganizationSettings(db: Executor, organizationId: string, expectedVersion: number, settings: string, at: string): Promise<number | null> {
  const row = await db
    .updateTable('organizations')
    .set((eb) => ({ settings, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', organizationId)
    .where('version', '=', expectedVersion)
    .returning('version')
    .executeTakeFirst();
  return row ? Number(row.version) : null;
}

/**
 * The organization's credential policy, with defaults (also when the organization does not exist).
 * @example const policy = await readCredentialPolicy(db, orgId); policy.defaultRateLimitTier // 'medium'
 */
export async function readCredentialPolicy(db: Executor, organizationId: string): Promise<CredentialPolicy> {
  const row = await findOrganizationSettings(db, organizationId);
  return parseCredentialPolicy(row?.settings ?? '{}');
}

const DAY_MS = 86_400_000;

/**
 * Checks a new API key's expiry against the policy: required (explicitly, or implied by a
 * maximum lifetime), in the future, and no later than the maximum lifetime allows.
 * @example assertKeyExpiryAllowed(policy, body.expires_at ? new Date(body.expires_at) : null, clock.now());
 * @throws AppError 400 request.invalid at /expires_at
 */
export function assertKeyExpiryAllowed(policy: CredentialPolicy, expiresAt: Date | null, now: Date): void {
  const max = policy.maxKeyLifetimeDays;
  if (expiresAt === null) {
    if (policy.requireKeyExpiry || max !== null) {
      const why = max !== null ? `keys may live at most ${max} days` : 'every key must expire';
      throw invalidField('body', '/expires_at', `is required: this organization's credential policy says ${why}`);
    }
    return;
  }
  if (expiresAt.getTime() <= now.getTime()) throw invalidField('body', '/expires_at', 'must be in the future');
  if (max !== null && expiresAt.getTime() > now.getTime() + max * DAY_MS) {
    const latest = new Date(now.getTime() + max * DAY_MS).toISOString();
    throw invalidField('body', '/expires_at', `must be no later than ${latest}: this organization's credential policy allows keys to live at most ${max} days`);
  }
}

export type CredentialPolicyChanges = { [K in Exclude<keyof CredentialPolicy, 'idleActionChangedAt'>]?: CredentialPolicy[K] | undefined };

/**
 * Rules across fields, checked on the policy a change would produce. A reminder window as long
 * as the longest key life would remind about every key the moment it is created.
 */
function assertCoherent(policy: CredentialPolicy, changes: CredentialPolicyChanges): void {
  const max = policy.maxKeyLifetimeDays;
  if (max !== null && policy.expiryReminderDays >= max) {
    const pointer = changes.expiryReminderDays !== undefined ? '/expiry_reminder_days' : '/max_key_lifetime_days';
    throw invalidField('body', pointer, `expiry_reminder_days (${policy.expiryReminderDays}) must be shorter than max_key_lifetime_days (${max}), or every key would be reminded about as soon as it is created`);
  }
}

/** @example const { policy, version } = await getCredentialPolicy(deps, ctx, orgId); */
export async function getCredentialPolicy(deps: Pick<AppDeps, 'db'>, ctx: RequestContext, organizationId: string): Promise<{ policy: CredentialPolicy; version: number }> {
  authorize(ctx.principal, organizationId, 'api-users:read');
  const row = await findOrganizationSettings(deps.db, organizationId);
  if (!row) throw appError('organization.not_found', `No organization ${organizationId}.`);
  return { policy: parseCredentialPolicy(row.settings), version: row.version };
}

/**
 * Changes some fields of the policy; needs "Can manage account" and the organization's version
 * (If-Match), which it bumps, like any other change to the organization.
 * @example await updateCredentialPolicy(deps, ctx, orgId, 3, { idleAction: 'warn_then_disable' });
 */
export async function updateCredentialPolicy(
  deps: Pick<AppDeps, 'db' | 'clock' | 'invalidation'>, ctx: RequestContext, organizationId: string, version: number, changes: CredentialPolicyChanges,
): Promise<{ policy: CredentialPolicy; version: number }> {
  authorize(ctx.principal, organizationId, 'account:manage');
  const updated = await deps.db.transaction().execute(async (trx) => {
    const current = await findOrganizationSettings(trx, organizationId);
    if (!current) throw appError('organization.not_found', `No organization ${organizationId}.`);
    if (current.version !== version) staleVersion('organization');
    const before = parseCredentialPolicy(current.settings);
    const after: CredentialPolicy = { ...before };
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const [camel, snake] of FIELDS) {
      const value = changes[camel];
      if (value === undefined) continue;
      (after as unknown as Record<string, unknown>)[camel] = value;
      if (value !== before[camel]) changed[snake] = { from: before[camel], to: value };
    }
    assertCoherent(after, changes);
    const at = deps.clock.now().toISOString();
    if (after.idleAction !== before.idleAction) after.idleActionChangedAt = at;
    const newVersion = await updateOrganizationSettings(trx, organizationId, version, withPolicy(current.settings, after), at);
    if (newVersion === null) staleVersion('organization');
    await recordAudit(trx, deps.clock, ctx, {
      organizationId, action: 'organization.credential_policy_updated', targetType: 'organization', targetId: organizationId, data: { changes: changed },
    });
    return { policy: after, version: newVersion };
  });
  // The default rate-limit tier is in cached account-info answers and in every instance's rate
  // limiter (which drops it with the organization's entries): the next request uses the new one.
  await deps.invalidation.organizationChanged(organizationId);
  return updated;
}

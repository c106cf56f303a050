import { timeZoneLabel } from '../../lib/time-zones.js';
import type { CredentialPolicy } from '../organizations/credential-policy.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import type { Organization } from '../organizations/organization.repository.js';
import type { WatchedCredential } from './watched-credential.repository.js';

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

const FOOTER = "You receive this as the API user's contact or as an administrator who manages API users.";

/**
 * Subject and text of the email saying a credential expires soon (times in the organization's zone).
 * @example enqueueEmail(db, clock, { organizationId: org.id, to, dedupeKey, ...expiryReminder(org, c) })
 */
export function expiryReminder(org: Organization, c: WatchedCredential) {
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

/**
 * Subject and text of the email saying a credential is unused; with 'warn_then_disable' it
 * names the time from which it will be revoked.
 * @example enqueueEmail(trx, clock, { organizationId: org.id, to, dedupeKey, ...idleWarning(org, policy, c, revokeAfter) })
 */
export function idleWarning(org: Organization, policy: CredentialPolicy, c: WatchedCredential, revokeAfter: string) {
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

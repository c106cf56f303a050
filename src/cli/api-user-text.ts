import type { ApiUser } from '../modules/api-users/api-user.repository.js';
import { apiUserDisplayName } from '../modules/api-users/api-user.repository.js';
import { organizationDisplayName } from '../modules/organizations/organization.presenter.js';
import type { Organization } from '../modules/organizations/organization.repository.js';
import type { FlagNames } from './flag-validation.js';
import { formatInZone, timeZoneBanner } from './zoned-time.js';

export const ORG_HELP = 'organization id or 9-digit account number';

/** Body fields of POST/PATCH …/api-users and the flags that set them, for error messages. */
export const API_USER_FLAGS: FlagNames = {
  username: '--username', first_name: '--first-name', last_name: '--last-name', email: '--email', description: '--description',
  status: '--disabled', applications: '--application', password: '--password-stdin', password_confirmation: '--password-stdin',
};

/** For a repeatable option: `--application httpapi --application salesforce` -> ['httpapi', 'salesforce']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Drops the keys a command left unset, so a body holds only what was typed. */
export function definedOnly<T extends Record<string, unknown>>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "apiuser-…@… (Melanie Allen)", or just the username when it has no personal name. */
export function apiUserLabel(user: Pick<ApiUser, 'firstName' | 'lastName' | 'username'>): string {
  const name = `${user.firstName} ${user.lastName}`.trim();
  return name ? `${user.username} (${name})` : user.username;
}

export function applicationNames(user: Pick<ApiUser, 'applications'>): string {
  return user.applications.map((a) => a.name).join(', ') || '-';
}

/** The Details panel of the Movius Administrators tool, as text. Never a password. */
export function apiUserDetails(user: ApiUser, org: Organization, now: Date): string {
  const rows: Array<[string, string]> = [
    ['Username', user.username],
    ['Name', `${user.firstName} ${user.lastName}`.trim() || '-'],
    ['Email', user.email ?? '-'],
    ['Description', user.description || '-'],
    ['Status', user.status],
    ['Role', user.roleName],
    ['Applications', applicationNames(user)],
    ['Last sign-in', formatInZone(user.lastSignInAt, org.timeZone, now)],
    ['Created', formatInZone(user.createdAt, org.timeZone, now)],
    ['Id', user.id],
    ['Version', String(user.version)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `${organizationDisplayName(org)} > API users > ${apiUserDisplayName(user)}`,
    timeZoneBanner(org, now),
    '',
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

/**
 * The privileges a role can grant. `account:manage` ("Can manage account", dotdigital) implies
 * every other privilege, as the account owner's delegate.
 */
export const PRIVILEGES = {
  'account:manage': 'Can manage account: organization settings, roles, and everything below',
  'api-users:manage': 'API User: create, edit, disable and delete API users',
  'api-users:read': 'See API users',
  'admins:manage': 'Invite, edit and remove administrators',
  'admins:read': 'See administrators',
  'applications:manage': 'Manage external applications',
  'audit:read': 'Read the audit log',
  verify: "Verify API users' credentials for the platform's own services (POST /v1/verify, token introspection)",
} as const;

export type Privilege = keyof typeof PRIVILEGES;
export const PRIVILEGE_NAMES = Object.keys(PRIVILEGES) as Privilege[];

/** @example grants(['account:manage'], 'audit:read') // true */
export function grants(held: Iterable<string>, needed: Privilege): boolean {
  for (const p of held) if (p === needed || p === 'account:manage') return true;
  return false;
}

/** The ids of the built-in roles, fixed by migration 0001. */
export const BUILT_IN_ROLE = {
  owner: 'owner',
  enterpriseSuperAdmin: 'enterprise-super-admin',
  administrator: 'administrator',
  viewer: 'viewer',
  apiUser: 'api-user',
} as const;

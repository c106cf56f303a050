import { Type } from 'typebox';
import { Id, Timestamp } from '../../http/schemas.js';
import { effectiveRateLimit, EffectiveRateLimitSchema, TierSchema } from '../api-auth/rate-limit-tiers.js';
import { ApplicationKey, ApplicationRefSchema } from '../applications/application.schemas.js';
import { OrganizationRefSchema } from '../directory/directory.schemas.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import type { Organization } from '../organizations/organization.repository.js';
import { timeZoneLabel } from '../../lib/time-zones.js';
import { apiUserDisplayName, type ApiUser } from './api-user.repository.js';

export const ApiUsername = Type.String({ maxLength: 254, description: 'Generated: apiuser-<12 digits>@<domain>. Fixed for life.', examples: ['apiuser-038271645590@apiconnector.example'] });
export const ApiUserPassword = Type.String({ minLength: 1, maxLength: 1024, description: 'At least 8 characters with a digit or symbol; not containing the username, the email or the organization name; not a common password.', examples: ['Magento-sync-2026!'] });
const OptionalName = Type.String({ maxLength: 100, examples: ['Melanie'] });
const Description = Type.String({ maxLength: 500, description: 'How the account is used; shown after the username in lists.', examples: ['Magento integration'] });
const RateLimitTier = Type.Union([TierSchema, Type.Null()], {
  description: "The API user's own tier (low 60, medium 300, high 1200 requests per minute, unlimited); null: the organization's default (GET …/credential-policy).",
  examples: ['high'],
});

export const ApiUserSchema = Type.Object({
  id: Id,
  username: ApiUsername,
  name: Type.String({ description: 'First and last name, or the username when there is none.', examples: ['Melanie Allen'] }),
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()], { description: 'Contact address where invitations go.' }),
  description: Type.String(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  role: Type.Object({ id: Type.String(), name: Type.String({ examples: ['API User'] }) }),
  applications: Type.Array(ApplicationRefSchema),
  organization: OrganizationRefSchema,
  time_zone: Type.String({ examples: ['America/Chicago'] }),
  time_zone_label: Type.String({ examples: ['US - Central (CDT)'] }),
  last_sign_in_at: Type.Union([Timestamp, Type.Null()], { description: 'Last successful authentication (updated at most once a minute).' }),
  delete_warning: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: "GET only: the warning to show before deleting, when this is the only enabled API user of an application (\"'Melanie Allen' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.\"); null otherwise.",
  })),
  rate_limit_tier: RateLimitTier,
  effective_rate_limit: EffectiveRateLimitSchema,
  version: Type.Integer({ description: 'Also sent as the ETag.' }),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'An API user: the machine identity of one integrated system.' });

export const NewApiUserBody = Type.Object({
  username: Type.Optional(ApiUsername),
  first_name: Type.Optional(OptionalName),
  last_name: Type.Optional(OptionalName),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'Where the invitation goes; required unless you type a password.' })),
  description: Type.Optional(Description),
  status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], { default: 'enabled' })),
  applications: Type.Optional(Type.Array(ApplicationKey, { minItems: 1, maxItems: 50, description: 'External applications by key; default ["httpapi"].' })),
  password: Type.Optional(ApiUserPassword),
  password_confirmation: Type.Optional(Type.String({ maxLength: 1024, description: 'The password again.' })),
}, {
  additionalProperties: false,
  examples: [
    { username: 'apiuser-038271645590@apiconnector.example', description: 'Magento integration', password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!', status: 'enabled' },
    { first_name: 'Melanie', last_name: 'Allen', email: 'melanie.allen@acme.example', applications: ['salesforce'] },
  ],
});

export const ApiUserChangesBody = Type.Object({
  username: Type.Optional(ApiUsername),
  first_name: Type.Optional(OptionalName),
  last_name: Type.Optional(OptionalName),
  email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
  description: Type.Optional(Description),
  status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
  applications: Type.Optional(Type.Array(ApplicationKey, { maxItems: 50 })),
  password: Type.Optional(ApiUserPassword),
  password_confirmation: Type.Optional(Type.String({ maxLength: 1024 })),
  rate_limit_tier: Type.Optional(RateLimitTier),
}, { additionalProperties: false, minProperties: 1, examples: [{ description: 'Magento 2 integration', applications: ['httpapi', 'salesforce'] }, { status: 'disabled' }, { rate_limit_tier: 'high' }] });

export function presentApiUser(u: ApiUser, org: Organization, now: Date) {
  return {
    id: u.id, username: u.username, name: apiUserDisplayName(u), first_name: u.firstName, last_name: u.lastName, email: u.email,
    description: u.description, status: u.status, role: { id: u.roleId, name: u.roleName }, applications: u.applications,
    organization: { id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org) },
    time_zone: org.timeZone, time_zone_label: timeZoneLabel(org.timeZone, now),
    last_sign_in_at: u.lastSignInAt, rate_limit_tier: u.rateLimitTier, effective_rate_limit: effectiveRateLimit(u.effectiveRateLimitTier), version: u.version, created_at: u.createdAt, updated_at: u.updatedAt,
  };
}

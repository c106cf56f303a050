import { Type } from 'typebox';
import { Id, PageQuery, Timestamp } from '../../http/schemas.js';
import { ApplicationRefSchema } from '../applications/application.schemas.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import type { Organization } from '../organizations/organization.repository.js';
import { timeZoneLabel } from '../../lib/time-zones.js';
import { DIRECTORY_SORTS, type DirectoryEntry } from './directory.repository.js';

export const OrganizationRefSchema = Type.Object({
  id: Id,
  account_number: Type.String({ examples: ['952442891'] }),
  display_name: Type.String({ examples: ['952442891 MOVIUS INTERACTIVE CORP'] }),
});

export const DirectoryEntrySchema = Type.Object({
  id: Id,
  kind: Type.Union([Type.Literal('admin'), Type.Literal('api')], { description: '`admin` for people, `api` for API users.' }),
  name: Type.String({ description: 'First and last name; the username for an API user without one.', examples: ['Melanie Allen'] }),
  first_name: Type.String(),
  last_name: Type.String(),
  username: Type.Union([Type.String(), Type.Null()], { description: 'API users only: the generated sign-in name.', examples: ['apiuser-038271645590@apiconnector.example'] }),
  email: Type.Union([Type.String(), Type.Null()]),
  description: Type.String({ examples: ['Magento integration'] }),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('invited')]),
  role: Type.Object({ id: Type.String(), name: Type.String({ examples: ['API User'] }) }),
  organization_id: Id,
  organization: OrganizationRefSchema,
  applications: Type.Array(ApplicationRefSchema, { description: 'API users only: the external applications they connect as.' }),
  last_sign_in_at: Type.Union([Timestamp, Type.Null()]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const DirectoryPageSchema = Type.Object({
  data: Type.Array(DirectoryEntrySchema),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' }),
  time_zone: Type.String({ description: "The organization's IANA time zone: show times in it.", examples: ['America/Chicago'] }),
  time_zone_label: Type.String({ description: 'As the portal shows it: "All the information displayed in US - Central (CDT)".', examples: ['US - Central (CDT)'] }),
});

export const DirectoryQuerySchema = {
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Search box: part of the name, username, email or description.', examples: ['Melanie'] })),
  status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('invited')])),
  role_id: Type.Optional(Type.String({ maxLength: 64, examples: ['api-user'] })),
  application: Type.Optional(Type.String({ maxLength: 40, description: 'Only API users connecting as this application key.', examples: ['salesforce'] })),
  sort: Type.Optional(Type.Union(DIRECTORY_SORTS.map((s) => Type.Literal(s)), { default: 'name', description: 'Sort order; a leading `-` reverses it.' })),
};

export function presentDirectoryEntry(e: DirectoryEntry, org: Organization) {
  return {
    id: e.id, kind: e.kind,
    name: `${e.firstName} ${e.lastName}`.trim() || e.username || e.email,
    first_name: e.firstName, last_name: e.lastName, username: e.username, email: e.email === '' ? null : e.email,
    description: e.description, status: e.status, role: { id: e.roleId, name: e.roleName },
    organization_id: org.id,
    organization: { id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org) },
    applications: e.applications, last_sign_in_at: e.lastSignInAt, version: e.version, created_at: e.createdAt, updated_at: e.updatedAt,
  };
}

export function presentDirectoryPage(rows: DirectoryEntry[], limit: number, org: Organization, now: Date, encode: (key: string[]) => string) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((e) => presentDirectoryEntry(e, org)),
    next_cursor: rows.length > limit && last ? encode([last.sortKey, last.id]) : null,
    time_zone: org.timeZone,
    time_zone_label: timeZoneLabel(org.timeZone, now),
  };
}

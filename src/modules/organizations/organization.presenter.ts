import { timeZoneLabel } from '../../lib/time-zones.js';
import type { Organization } from './organization.repository.js';

/** "952442891 ACME CORP": how the Movius portal names an organization. */
export function organizationDisplayName(org: Pick<Organization, 'accountNumber' | 'name'>): string {
  return `${org.accountNumber} ${org.name.toUpperCase()}`;
}

/** The API shape of an organization, with the zone label clients show beside times. */
export function presentOrganization(org: Organization, now: Date) {
  return {
    id: org.id,
    account_number: org.accountNumber,
    name: org.name,
    display_name: organizationDisplayName(org),
    time_zone: org.timeZone,
    time_zone_label: timeZoneLabel(org.timeZone, now),
    version: org.version,
    created_at: org.createdAt,
    updated_at: org.updatedAt,
  };
}

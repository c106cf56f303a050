import { Type } from 'typebox';
import { Id, Timestamp } from '../../http/schemas.js';

export const OrganizationName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Shown upper-cased after the account number.', examples: ['Acme Corp'] });
export const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone; every time in the UI is shown in it.', examples: ['America/Chicago'] });

export const OrganizationSchema = Type.Object({
  id: Id,
  account_number: Type.String({ pattern: '^[1-9][0-9]{8}$', examples: ['952442891'] }),
  name: Type.String({ examples: ['Acme Corp'] }),
  display_name: Type.String({ description: 'Account number and upper-cased name, as the portal shows it.', examples: ['952442891 ACME CORP'] }),
  time_zone: Type.String({ examples: ['America/Chicago'] }),
  time_zone_label: Type.String({ description: 'Label and current abbreviation of the zone.', examples: ['US - Central (CDT)'] }),
  version: Type.Integer({ description: 'Also sent as the ETag.' }),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'An organization (tenant).' });

export const NewOrganizationSchema = Type.Object({ name: OrganizationName, time_zone: TimeZone }, { additionalProperties: false });

import { Type } from 'typebox';
import { Timestamp } from '../../http/schemas.js';
import { AdministratorSchema } from '../admins/admin.schemas.js';
import { OrganizationSchema } from '../organizations/organization.schemas.js';

export const SessionSchema = Type.Object({
  administrator: AdministratorSchema,
  organization: OrganizationSchema,
  privileges: Type.Array(Type.String(), { description: 'What your role allows.', examples: [['api-users:manage', 'api-users:read']] }),
  csrf_token: Type.Union([Type.String(), Type.Null()], { description: 'Send as X-CSRF-Token on every change made with the session cookie; null for access tokens.' }),
  expires_at: Type.Union([Timestamp, Type.Null()], { description: 'When the session ends if unused.' }),
  local_mailbox: Type.Boolean({ description: 'Whether emails are kept in the local mailbox (GET …/mail): true when no SMTP_URL is set.' }),
}, { description: 'Who you are signed in as.' });

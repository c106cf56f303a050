import { Type } from 'typebox';
import { Id, Timestamp } from '../../http/schemas.js';
import type { Administrator } from './admin.repository.js';

export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['melanie.allen@acme.example'] });
export const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', examples: ['Melanie'] });
export const Password = Type.String({ minLength: 1, maxLength: 1024, description: 'At least 15 characters, not a common password. No composition rules.', examples: ['correct horse battery staple'] });

export const AdministratorSchema = Type.Object({
  id: Id,
  organization_id: Id,
  kind: Type.Union([Type.Literal('admin'), Type.Literal('api')]),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  name: Type.String({ description: 'First and last name.', examples: ['Melanie Allen'] }),
  role: Type.Object({ id: Type.String(), name: Type.String({ examples: ['Enterprise Super Administrator'] }) }),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('invited')]),
  last_sign_in_at: Type.Union([Timestamp, Type.Null()]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'A person who administers the organization.' });

export function presentAdministrator(a: Administrator) {
  return {
    id: a.id,
    organization_id: a.organizationId,
    kind: a.kind,
    email: a.email,
    first_name: a.firstName,
    last_name: a.lastName,
    name: `${a.firstName} ${a.lastName}`,
    role: { id: a.roleId, name: a.roleName },
    status: a.status,
    last_sign_in_at: a.lastSignInAt,
    version: a.version,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

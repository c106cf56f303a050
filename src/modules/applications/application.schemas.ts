import { Type } from 'typebox';
import { Id, Timestamp } from '../../http/schemas.js';
import type { Application } from './application.repository.js';

export const ApplicationKey = Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$', description: 'Lower-case identifier integrations send in X-Application.', examples: ['acme-portal'] });

export const ApplicationSchema = Type.Object({
  id: Id,
  key: Type.String({ examples: ['httpapi'] }),
  name: Type.String({ examples: ['HttpApi'] }),
  description: Type.String(),
  kind: Type.Union([Type.Literal('built_in'), Type.Literal('custom')]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'An external application API users connect as.' });

/** What an API user row shows of each application. */
export const ApplicationRefSchema = Type.Object({ id: Id, key: Type.String({ examples: ['httpapi'] }), name: Type.String({ examples: ['HttpApi'] }) });

export function presentApplication(a: Application) {
  return { id: a.id, key: a.key, name: a.name, description: a.description, kind: a.kind, version: a.version, created_at: a.createdAt, updated_at: a.updatedAt };
}

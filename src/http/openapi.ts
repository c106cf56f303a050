import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
/** OpenAPI 3.1 generated from the route schemas; served at /openapi.json and /docs. */
export function openApiOptions(publicUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'apiusers',
        version: '0.1.0',
        description: 'Management API of apiusers: organizations, administrators, roles, access tokens and the audit log. Errors are RFC 9457 problem+json.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: publicUrl, description: 'This server' }],
      tags: [
        { name: 'Setup', description: 'First start: create the first organization and its Account owner.' },
        { name: 'Session', description: 'Administrator sign-in, sign-out and CSRF tokens.' },
        { name: 'Access tokens', description: 'Personal access tokens for the CLI and automation.' },
        { name: 'Organizations', description: 'The tenant: account number, name and time zone.' },
        { name: 'Administrators', description: 'People who administer an organization.' },
        { name: 'Invitations', description: 'Accepting an administrator invitation.' },
        { name: 'Roles', description: 'Built-in and custom roles and the privileges they grant.' },
        { name: 'Audit', description: 'The append-only record of every change.' },
        { name: 'API users', description: 'Machine identities, one per integrated system: create, invite, edit, disable, delete.' },
        { name: 'Applications', description: 'External applications API users connect as: HttpApi, Salesforce and custom apps.' },
        { name: 'Consumption API', description: 'What API users call with their credentials.' },
        { name: 'API keys', description: 'API keys of API users: create (shown once), list, roll without downtime, revoke.' },
        { name: 'Verify', description: "For the platform's own services: check a credential an API user presented." },
        { name: 'OAuth', description: 'OAuth 2.0 for API users: client credentials tokens (RFC 6749 §4.4, JWT access tokens per RFC 9068), introspection (RFC 7662), revocation (RFC 7009), the JWKS and RFC 8414 metadata, and the public keys API users sign private_key_jwt assertions with. The /oauth endpoints take form-encoded bodies and answer errors as RFC 6749 §5.2 JSON.' },
        { name: 'Mail', description: 'The local mailbox used when no SMTP server is configured (development).' },
        { name: 'Operations', description: 'Health, readiness, metrics and error documentation.' },
      ],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'apiusers_session', description: 'Set by POST /v1/session. Changes also need X-CSRF-Token.' },
          accessToken: { type: 'http', scheme: 'bearer', description: 'A personal access token (au_pat_…).' },
          apiUserBasic: { type: 'http', scheme: 'basic', description: 'An API user: username (apiuser-…@…) and password.' },
          apiUserKey: { type: 'http', scheme: 'bearer', description: "An API user's API key (au_key_…) or an access token from /oauth/token." },
          apiUserKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: "An API user's API key (au_key_…)." },
        },
      },
      security: [{ session: [] }, { accessToken: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}

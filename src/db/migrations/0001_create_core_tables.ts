import { sql, type Kysely } from 'kysely';

/*
 * Frozen in time: never edit after it lands; add a new migration instead. Portable across SQLite
 * and PostgreSQL: text timestamps (ISO 8601 UTC), text JSON, no booleans, partial indexes.
 */

const BUILT_IN_ROLES: Array<[string, string, string, 'admin' | 'api', string[]]> = [
  ['owner', 'Account owner', 'Owns the organization; exactly one per organization.', 'admin', [
    'account:manage', 'api-users:manage', 'api-users:read', 'admins:manage', 'admins:read', 'applications:manage', 'audit:read',
  ]],
  ['enterprise-super-admin', 'Enterprise Super Administrator', 'Can manage the whole account except transferring ownership.', 'admin', [
    'account:manage', 'api-users:manage', 'api-users:read', 'admins:manage', 'admins:read', 'applications:manage', 'audit:read',
  ]],
  ['administrator', 'Administrator', 'Manages API users and applications; sees administrators and the audit log.', 'admin', [
    'api-users:manage', 'api-users:read', 'admins:read', 'applications:manage', 'audit:read',
  ]],
  ['viewer', 'Viewer', 'Read-only access to API users and administrators.', 'admin', ['api-users:read', 'admins:read']],
  ['api-user', 'API User', 'The role of API users: machine identities that call the API.', 'api', []],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_number', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('assignable_to', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roles_organization_name').on('roles').columns(['organization_id', 'name']).unique().execute();

  await db.schema
    .createTable('role_privileges')
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('privilege', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_privileges_pk', ['role_id', 'privilege'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // People sign in by email, so an administrator's email is unique across the service.
  await db.schema.createIndex('users_admin_email').on('users').column('email').unique().where(sql.ref('kind'), '=', 'admin').execute();
  // Exactly one Account owner per organization: at most one here, at least one by the services.
  await db.schema.createIndex('users_one_owner').on('users').column('organization_id').unique().where(sql.ref('role_id'), '=', 'owner').execute();
  await db.schema.createIndex('users_organization_created').on('users').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_ip', 'text')
    .addColumn('last_used_user_agent', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credentials_user_kind').on('credentials').columns(['user_id', 'kind']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('one_time_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('one_time_tokens_user_kind').on('one_time_tokens').columns(['user_id', 'kind']).execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_organization_created').on('audit_events').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'text', (c) => c.notNull())
    .execute();

  const now = new Date().toISOString();
  for (const [id, name, description, assignableTo, privileges] of BUILT_IN_ROLES) {
    await db.insertInto('roles').values({
      id, organization_id: null, name, description, kind: 'built_in', assignable_to: assignableTo, created_at: now, updated_at: now,
    }).execute();
    for (const privilege of privileges) await db.insertInto('role_privileges').values({ role_id: id, privilege }).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['rate_limits', 'audit_events', 'one_time_tokens', 'sessions', 'credentials', 'users', 'role_privileges', 'roles', 'organizations']) {
    await db.schema.dropTable(table).execute();
  }
}

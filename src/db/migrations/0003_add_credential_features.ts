import type { Kysely } from 'kysely';

/*
 * Frozen in time: never edit after it lands. API keys (last-used application, rolling), public
 * keys for private_key_jwt, per-user rate-limit tiers, OAuth signing keys, and the JWT ids that
 * were revoked or used as client assertions (replay protection).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('credentials').addColumn('last_used_application', 'text').execute();
  // A rolled key points at the key that replaced it; the old one stays valid until expires_at.
  await db.schema.alterTable('credentials').addColumn('replaced_by', 'text').execute();
  // private_key_jwt: the registered public key (JWK JSON) and its key id.
  await db.schema.alterTable('credentials').addColumn('public_jwk', 'text').execute();
  await db.schema.alterTable('credentials').addColumn('key_id', 'text').execute();
  await db.schema.createIndex('credentials_expires').on('credentials').column('expires_at').execute();

  // null: the organization's default tier (organizations.settings).
  await db.schema.alterTable('users').addColumn('rate_limit_tier', 'text').execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('id', 'text', (c) => c.primaryKey()) // the JWK kid
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    // The private JWK, encrypted with a key derived from SECRET_KEY (AES-256-GCM).
    .addColumn('private_jwk_encrypted', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // active | retired
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    // After this the key leaves the JWKS: no token it signed can still be valid.
    .addColumn('remove_after', 'text')
    .execute();

  await db.schema
    .createTable('used_jwt_ids')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull()) // revoked_access_token | client_assertion
    .addColumn('user_id', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('used_jwt_ids_expires').on('used_jwt_ids').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('used_jwt_ids').execute();
  await db.schema.dropTable('signing_keys').execute();
  await db.schema.dropIndex('credentials_expires').execute();
  for (const column of ['key_id', 'public_jwk', 'replaced_by', 'last_used_application']) {
    await db.schema.alterTable('credentials').dropColumn(column).execute();
  }
  await db.schema.alterTable('users').dropColumn('rate_limit_tier').execute();
}

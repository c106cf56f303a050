import type { ColumnType, Generated } from 'kysely';

/** A nullable column added by a later migration: optional on insert, null when unset. */
export type OptionalColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;

/**
 * Row types of every table, as stored: snake_case, timestamps as ISO 8601 UTC text (sortable,
 * identical on SQLite and PostgreSQL), JSON as text. Domain objects are mapped in repositories.
 */
export interface OrganizationTable {
  id: string;
  account_number: string;
  name: string;
  time_zone: string;
  settings: string;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface RoleTable {
  id: string;
  organization_id: string | null;
  name: string;
  description: string;
  kind: 'built_in' | 'custom';
  assignable_to: 'admin' | 'api';
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface RolePrivilegeTable {
  role_id: string;
  privilege: string;
}

export interface UserTable {
  id: string;
  organization_id: string;
  kind: 'admin' | 'api';
  username: string | null;
  email: string;
  first_name: string;
  last_name: string;
  description: string;
  role_id: string;
  status: 'enabled' | 'disabled' | 'invited';
  last_sign_in_at: string | null;
  rate_limit_tier: OptionalColumn<string>;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CredentialTable {
  id: string;
  user_id: string;
  organization_id: string;
  kind: 'password' | 'personal_access_token' | 'api_key' | 'public_key';
  secret_hash: string;
  hint: string;
  name: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  last_used_user_agent: string | null;
  created_by: string | null;
  created_at: string;
  last_used_application: OptionalColumn<string>;
  replaced_by: OptionalColumn<string>;
  public_jwk: OptionalColumn<string>;
  key_id: OptionalColumn<string>;
}

export interface SessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface OneTimeTokenTable {
  id: string;
  kind: 'setup' | 'admin_invite' | 'api_user_invite';
  token_hash: string;
  user_id: string | null;
  organization_id: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AuditEventTable {
  id: string;
  organization_id: string | null;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  ip: string | null;
  data: string;
  created_at: string;
}

export interface RateLimitTable {
  key: string;
  count: number;
  reset_at: string;
}

/** One API user's requests in one rate-limit window, summed over every instance (PostgreSQL). */
export interface ApiUserRateWindowTable {
  /** ISO 8601 UTC of the minute the window opens. */
  window_start: string;
  user_id: string;
  tier: string;
  count: number;
}

/**
 * One verification-cache invalidation announced on SQLite, read by the other processes on the
 * same file (src/modules/api-auth/sqlite-invalidation-bus.ts); kept for minutes.
 */
export interface CacheInvalidationTable {
  id: Generated<number>;
  /** JSON, as a PostgreSQL notification's payload (invalidation-payload.ts). */
  payload: string;
  /** The process that wrote the row. */
  origin: string;
  created_at: string;
}

export interface ApplicationTable {
  id: string;
  organization_id: string;
  key: string;
  name: string;
  description: string;
  kind: 'built_in' | 'custom';
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface UserApplicationTable {
  user_id: string;
  application_id: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  organization_id: string | null;
  kind: 'email';
  /** Unique per logical message, so a retried enqueue never sends twice. */
  dedupe_key: string;
  /** JSON; scrubbed after sending when it carried a one-time secret. */
  payload: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface MailMessageTable {
  id: string;
  outbox_id: string;
  organization_id: string | null;
  message_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  created_at: string;
}

export interface SigningKeyTable {
  id: string;
  algorithm: 'ES256' | 'EdDSA';
  public_jwk: string;
  private_jwk_encrypted: string;
  status: 'active' | 'retired';
  created_at: string;
  retired_at: string | null;
  remove_after: string | null;
}

export interface UsedJwtIdTable {
  jti: string;
  purpose: 'revoked_access_token' | 'client_assertion';
  user_id: string | null;
  expires_at: string;
  created_at: string;
}

export interface DB {
  organizations: OrganizationTable;
  roles: RoleTable;
  role_privileges: RolePrivilegeTable;
  users: UserTable;
  credentials: CredentialTable;
  sessions: SessionTable;
  one_time_tokens: OneTimeTokenTable;
  audit_events: AuditEventTable;
  rate_limits: RateLimitTable;
  api_user_rate_windows: ApiUserRateWindowTable;
  cache_invalidations: CacheInvalidationTable;
  applications: ApplicationTable;
  user_applications: UserApplicationTable;
  outbox: OutboxTable;
  mail_messages: MailMessageTable;
  signing_keys: SigningKeyTable;
  used_jwt_ids: UsedJwtIdTable;
}

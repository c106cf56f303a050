import { join } from 'node:path';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The one schema of the service's settings. Every option has a default that works on a laptop.
 * Only this folder reads `process.env`; the result is validated once and frozen.
 */
const ConfigSchema = Type.Object({
  /** TCP port the HTTP server listens on. */
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  /** Interface to bind; 0.0.0.0 to accept connections from other machines. */
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** `postgres://user@host/db` for PostgreSQL; a file path (or `sqlite:path`, `:memory:`) for SQLite. Unset: SQLite at `<DATA_DIR>/apiusers.db`. */
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  /** The address users reach the service at; links in emails and the setup link use it. */
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/.*)?$' })),
  /** Server secret (>= 32 bytes, hex or base64) keying every HMAC; generated into DATA_DIR when absent. */
  SECRET_KEY: Type.Optional(Type.String({ minLength: 32 })),
  /** Folder for the default SQLite file (`apiusers.db`), the generated secret key and the local mailbox. */
  DATA_DIR: Type.String({ minLength: 1, default: 'data' }),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** smtp://user:pass@host:port for real email; unset keeps mail in the local mailbox. */
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  /** How long an administrator's session lasts without use, in minutes. */
  SESSION_IDLE_MINUTES: Type.Integer({ minimum: 5, maximum: 43200, default: 720 }),
  /** How long the first-start setup link stays valid, in minutes. */
  SETUP_LINK_MINUTES: Type.Integer({ minimum: 5, maximum: 10080, default: 1440 }),
  /** Trust X-Forwarded-* headers (set when running behind a load balancer). */
  TRUST_PROXY: Type.Boolean({ default: false }),
  /** Domain of generated API user names: apiuser-<12 digits>@<domain>. */
  API_USER_DOMAIN: Type.String({ pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$', default: 'apiconnector.example' }),
  /** `link`: invites carry a one-time link to reveal the password; `inline`: the password is in the email (Movius style, less safe). */
  INVITE_DELIVERY: Type.Union([Type.Literal('link'), Type.Literal('inline')], { default: 'link' }),
  /** How long an API user's invitation link stays valid, in hours. */
  INVITE_LINK_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 72 }),
  /** The From: address of every email. */
  MAIL_FROM: Type.String({ minLength: 3, default: 'apiusers <no-reply@apiusers.localhost>' }),
  /** How often the outbox worker looks for due emails, in milliseconds. */
  OUTBOX_POLL_MS: Type.Integer({ minimum: 50, maximum: 60000, default: 1000 }),
  /** `on`: GET /v2/account-info and POST /v1/verify answer a cached credential from memory, in the HTTP fast lane and before Fastify routes (docs/benchmarks.md); `listener`: the same without the fast lane (Node's HTTP server reads every request); `off`: every request goes through Fastify. */
  HOT_PATH: Type.Union([Type.Literal('on'), Type.Literal('listener'), Type.Literal('off')], { default: 'on' }),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 10485760, default: 1048576 }),
  /** Lifetime of OAuth access tokens from /oauth/token, in minutes (short: a JWT cannot be recalled from caches). */
  ACCESS_TOKEN_MINUTES: Type.Integer({ minimum: 5, maximum: 15, default: 10 }),
  /** How often the token signing key is replaced (checked when a token is issued), in days. */
  SIGNING_KEY_ROTATION_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  /** PostgreSQL: how often each instance adds its API users' rate-limit counts to the shared ones, in milliseconds. */
  RATE_LIMIT_SYNC_MS: Type.Integer({ minimum: 50, maximum: 10000, default: 500 }),
  /** SQLite: how often the server checks for cache invalidations committed by other processes on the file (the CLI), in milliseconds. */
  INVALIDATION_POLL_MS: Type.Integer({ minimum: 20, maximum: 5000, default: 250 }),
});

type RawConfig = Static<typeof ConfigSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: { readonly engine: 'sqlite'; readonly file: string } | { readonly engine: 'postgres'; readonly url: string };
  readonly publicUrl: string;
  readonly secretKey: string | undefined;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly smtpUrl: string | undefined;
  readonly sessionIdleMinutes: number;
  readonly setupLinkMinutes: number;
  readonly trustProxy: boolean;
  readonly bodyLimit: number;
  readonly apiUserDomain: string;
  readonly inviteDelivery: 'link' | 'inline';
  readonly inviteLinkHours: number;
  readonly mailFrom: string;
  readonly outboxPollMs: number;
  /** Whether the hot routes answer cached credentials outside Fastify (HOT_PATH on or listener). */
  readonly hotPath: boolean;
  /** Whether connections start in the HTTP fast lane (HOT_PATH=on). */
  readonly fastLane: boolean;
  readonly accessTokenMinutes: number;
  readonly signingKeyRotationDays: number;
  /** RATE_LIMIT_SYNC_MS: the shared rate-limit count's sync interval (PostgreSQL). */
  readonly rateLimitSyncMs: number;
  /** INVALIDATION_POLL_MS: how often a SQLite server looks for other processes' invalidations. */
  readonly invalidationPollMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Every option's name, for `--help` and docs. */
export const CONFIG_OPTIONS = Object.keys(ConfigSchema.properties);

/** The SQLite file used when DATABASE_URL is unset; with the default DATA_DIR, `data/apiusers.db`. */
const DEFAULT_DATABASE_FILE = 'apiusers.db';

function parseDatabase(url: string | undefined, dataDir: string): Config['database'] {
  // Without DATABASE_URL the database lives with the rest of the service's files, so moving
  // DATA_DIR moves all of them; not parsed as a URL, since a folder name is not one.
  if (url === undefined) return { engine: 'sqlite', file: join(dataDir, DEFAULT_DATABASE_FILE) };
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', url };
  const file = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '');
  return { engine: 'sqlite', file };
}

/**
 * Validates the environment, reporting every problem at once.
 * @example const config = loadConfig(process.env);
 * @throws ConfigError listing each bad or missing variable
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, unknown> = {};
  for (const key of CONFIG_OPTIONS) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, input)) as Record<string, unknown>;
  // Each option is checked on its own so that every problem is reported, not just the first few.
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(ConfigSchema.properties) as Array<[string, TSchema & { anyOf?: Array<{ const?: unknown }> }]>) {
    if (withDefaults[key] === undefined) continue;
    if (Value.Check(schema, withDefaults[key])) continue;
    const allowed = schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
    const message = allowed?.length ? `must be one of ${allowed.join(', ')}` : (Value.Errors(schema, withDefaults[key])[0]?.message ?? 'is invalid');
    problems.push(`${key}: ${message} (got ${JSON.stringify(env[key] ?? null)})`);
  }
  const raw = withDefaults as RawConfig;
  if (raw.SECRET_KEY !== undefined && !problems.some((p) => p.startsWith('SECRET_KEY')) && decodeSecret(raw.SECRET_KEY) === null) {
    problems.push('SECRET_KEY: must be at least 32 bytes as hex or base64');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const publicUrl = (raw.PUBLIC_URL ?? `http://${raw.HOST === '0.0.0.0' ? '127.0.0.1' : raw.HOST}:${raw.PORT}`).replace(/\/$/, '');
  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    database: Object.freeze(parseDatabase(raw.DATABASE_URL, raw.DATA_DIR)),
    publicUrl,
    secretKey: raw.SECRET_KEY,
    dataDir: raw.DATA_DIR,
    logLevel: raw.LOG_LEVEL,
    smtpUrl: raw.SMTP_URL,
    sessionIdleMinutes: raw.SESSION_IDLE_MINUTES,
    setupLinkMinutes: raw.SETUP_LINK_MINUTES,
    trustProxy: raw.TRUST_PROXY,
    bodyLimit: raw.BODY_LIMIT,
    hotPath: raw.HOT_PATH !== 'off',
    fastLane: raw.HOT_PATH === 'on',
    apiUserDomain: raw.API_USER_DOMAIN,
    inviteDelivery: raw.INVITE_DELIVERY,
    inviteLinkHours: raw.INVITE_LINK_HOURS,
    mailFrom: raw.MAIL_FROM,
    outboxPollMs: raw.OUTBOX_POLL_MS,
    accessTokenMinutes: raw.ACCESS_TOKEN_MINUTES,
    signingKeyRotationDays: raw.SIGNING_KEY_ROTATION_DAYS,
    rateLimitSyncMs: raw.RATE_LIMIT_SYNC_MS,
    invalidationPollMs: raw.INVALIDATION_POLL_MS,
  });
}

/** Accepts 64+ hex characters or base64 of 32+ bytes. */
export function decodeSecret(value: string): Buffer | null {
  if (/^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0) {
    const buf = Buffer.from(value, 'hex');
    return buf.length >= 32 ? buf : null;
  }
  if (/^[A-Za-z0-9+/_-]+=*$/.test(value)) {
    const buf = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    return buf.length >= 32 ? buf : null;
  }
  return null;
}

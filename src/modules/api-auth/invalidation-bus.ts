import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../db/database.js';
import { randomToken } from '../../lib/random.js';
import { applyInvalidation, invalidationPayload, parseInvalidation } from './invalidation-payload.js';
import type { Invalidation, VerificationCache } from './verification-cache.js';

/**
 * Tells every instance of the service what changed, so each drops the cached verifications it
 * affects at once instead of after the cache TTL. Call after the change commits: each method
 * clears this process at once, then tells the others (every instance on PostgreSQL, every other
 * process on a SQLite file, such as the server beside a CLI command).
 */
export interface InvalidationBus {
  /** The user, one of its credentials, its applications or its role changed (API user or administrator). */
  userChanged(userId: string): Promise<void>;
  /**
   * Something every cached verification in the organization may carry changed: its name or time
   * zone, a role's privileges or name, an application's name, the credential policy (default
   * rate-limit tier).
   */
  organizationChanged(organizationId: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A process alone with its database (SQLite in memory: no other process can open it), so
 * clearing the local cache is all. A SQLite file takes SqliteInvalidationBus, which other
 * processes on the file (the CLI) reach.
 * @example const bus = new LocalInvalidationBus(cache); await bus.userChanged(user.id);
 */
export class LocalInvalidationBus implements InvalidationBus {
  constructor(private readonly cache: VerificationCache) {}

  async userChanged(userId: string): Promise<void> {
    this.cache.invalidateUser(userId);
  }

  async organizationChanged(organizationId: string): Promise<void> {
    this.cache.invalidateOrganization(organizationId);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}

export interface PostgresInvalidationBusOptions {
  /** The pool the service uses; NOTIFY goes through it and it names the schema (channel). */
  db: Db;
  /** Connection string for the dedicated listening connection (LISTEN holds a session). */
  url: string;
  cache: VerificationCache;
  /**
   * Listener failures (dropped connection, failed reconnect: 'listener'), after which the bus
   * recovers by itself, and a notification that could not be sent ('notify').
   */
  onError?: (error: unknown, during: 'listener' | 'notify') => void;
  /** First reconnect delay, doubled on each failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A `select 1` on the listener this often, so a silently dead connection is noticed. */
  heartbeatMs?: number;
}

/**
 * Every instance LISTENs on one channel per schema; a change clears the local cache and NOTIFYs
 * it (invalidationPayload). Every instance, the sender too (harmlessly), drops the affected
 * entries on receipt, and everything on a payload it cannot read. While the listening connection is down, notifications are missed, so the whole local
 * cache is cleared when it drops, on every reconnect attempt and once LISTEN is back: correctness
 * over hit rate.
 * @example const bus = new PostgresInvalidationBus({ db, url, cache }); await bus.start();
 */
export class PostgresInvalidationBus implements InvalidationBus {
  /** Identifies this instance in payloads (for diagnostics; receipt is idempotent). */
  readonly origin = randomToken(9);
  private channel: string | null = null;
  private client: pg.Client | null = null;
  private pid: number | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;

  constructor(private readonly options: PostgresInvalidationBusOptions) {}

  /** The backend pid of the listening connection, null while it is down. */
  get listenerPid(): number | null {
    return this.pid;
  }

  /** Opens the listening connection; rejects when the first attempt fails (later drops are retried). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
  }

  async userChanged(userId: string): Promise<void> {
    await this.publish({ kind: 'user', userId });
  }

  async organizationChanged(organizationId: string): Promise<void> {
    await this.publish({ kind: 'organization', organizationId });
  }

  private async publish(change: Invalidation): Promise<void> {
    applyInvalidation(this.options.cache, change);
    try {
      // pg_notify outside any transaction: sent at once, and the change has already committed.
      await sql`select pg_notify(${await this.channelName()}, ${invalidationPayload(change, this.origin)})`.execute(this.options.db);
    } catch (error) {
      // The change is committed; failing the request now would only confuse the caller. Other
      // instances then drop the entries when they expire (at most the cache TTL).
      this.options.onError?.(error, 'notify');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.connecting?.catch(() => undefined);
    await this.closeClient();
  }

  /**
   * The schema is part of the name, so instances sharing a schema (one deployment) hear each
   * other and parallel test schemas do not. PostgreSQL truncates names to 63 bytes (NAMEDATALEN).
   */
  private async channelName(): Promise<string> {
    if (this.channel) return this.channel;
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(this.options.db);
    const schema = rows[0]?.schema ?? 'public';
    const channel = `apiusers_invalidate_${schema}`;
    this.channel = Buffer.byteLength(channel) <= 63 ? channel : `apiusers_invalidate_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
    return this.channel;
  }

  private listen(): Promise<void> {
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const channel = await this.channelName();
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, query_timeout: 10_000 });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, new Error('invalidation listener connection ended')));
    client.on('notification', (message) => this.received(message.payload));
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      if (this.stopped) throw new Error('invalidation bus stopped while connecting');
      this.client = client;
      this.pid = rows[0]!.pid;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.failures = 0;
    this.heartbeat = setInterval(() => {
      client.query('select 1').catch((error: unknown) => this.dropped(client, error));
    }, this.options.heartbeatMs ?? 15_000);
    // Only now is nothing missed any more: whatever was cached before LISTEN may be stale.
    this.options.cache.clear();
  }

  private received(payload: string | undefined): void {
    // An unreadable payload, or a kind a newer version sends, drops everything rather than keep a possibly stale entry.
    applyInvalidation(this.options.cache, parseInvalidation(payload));
  }

  private dropped(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    void this.closeClient();
    this.options.cache.clear();
    if (this.stopped) return;
    this.options.onError?.(error, 'listener');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = Math.min(this.options.maxBackoffMs ?? 2_000, (this.options.initialBackoffMs ?? 100) * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      // Still down: anything cached since the last attempt may have missed a notification.
      this.options.cache.clear();
      this.listen().catch((error: unknown) => {
        if (this.stopped) return;
        this.options.onError?.(error, 'listener');
        this.scheduleReconnect();
      });
    }, delay);
  }

  private async closeClient(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const client = this.client;
    this.client = null;
    this.pid = null;
    await client?.end().catch(() => undefined);
  }
}

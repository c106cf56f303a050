import { performance } from 'node:perf_hooks';
import type { AppDeps } from '../../http/deps.js';
import { deleteExpiredJwtIds, isAccessTokenRevoked, listRevokedAccessTokens, recordJwtId } from './used-jwt-id.repository.js';

const PURGE_EVERY_MS = 60_000;

/**
 * The JWT ids that must not be accepted again: revoked access tokens (RFC 7009) and used client
 * assertions (RFC 7523 §3, replay). Revoked ids are also kept in memory, loaded once lazily and
 * added to on revoke, so a cached verification is re-checked without a database read.
 */
export class JwtIdLedger {
  private readonly revoked = new Map<string, number>();
  private loading: Promise<void> | null = null;
  private loaded = false;
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'clock'>) {}

  /**
   * From memory, without a promise once the revoked ids are loaded; undefined before that (call
   * isRevokedInMemory). For verifications served from the cache.
   */
  revokedInMemoryNow(jti: string): boolean | undefined {
    return this.loaded ? this.revoked.has(jti) : undefined;
  }

  /** From memory only (after the first load): for verifications served from the cache. */
  async isRevokedInMemory(jti: string): Promise<boolean> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = null;
      throw error;
    });
    await this.loading;
    return this.revoked.has(jti);
  }

  /** Memory, then the database: another instance may have revoked it. */
  async isRevoked(jti: string, expiresAt: Date): Promise<boolean> {
    if (await this.isRevokedInMemory(jti)) return true;
    if (!(await isAccessTokenRevoked(this.deps.db, jti))) return false;
    this.revoked.set(jti, expiresAt.getTime());
    return true;
  }

  /** Refuses the access token from now on, until it expires anyway. Idempotent. */
  async revoke(jti: string, userId: string, expiresAt: Date): Promise<void> {
    await recordJwtId(this.deps.db, { jti, purpose: 'revoked_access_token', user_id: userId, expires_at: expiresAt.toISOString(), created_at: this.deps.clock.now().toISOString() });
    this.revoked.set(jti, expiresAt.getTime());
    await this.purge();
  }

  /**
   * Records a client assertion's jti, namespaced by client (a jti is unique per issuer only).
   * @returns false when this client already used it: a replay
   */
  async recordAssertion(userId: string, jti: string, expiresAt: Date): Promise<boolean> {
    await this.purge();
    return recordJwtId(this.deps.db, { jti: `client_assertion:${userId}:${jti}`, purpose: 'client_assertion', user_id: userId, expires_at: expiresAt.toISOString(), created_at: this.deps.clock.now().toISOString() });
  }

  private async load(): Promise<void> {
    for (const row of await listRevokedAccessTokens(this.deps.db, this.deps.clock.now().toISOString())) this.revoked.set(row.jti, Date.parse(row.expires_at));
    this.loaded = true;
  }

  /** At most once a minute: expired ids leave the table and the memory. */
  private async purge(): Promise<void> {
    if (performance.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = performance.now();
    const now = this.deps.clock.now();
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now.getTime()) this.revoked.delete(jti);
    await deleteExpiredJwtIds(this.deps.db, now.toISOString());
  }
}

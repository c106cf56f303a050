import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { CREDENTIAL_LENGTH, parseCredential } from '../../lib/credential-format.js';
import { findApiKeyForVerification, recordApiKeyUse } from '../api-keys/api-key.repository.js';
import { apiKeyHash } from '../api-keys/api-key.service.js';
import type { VerifiedCredential } from './verification-cache.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'verificationCache'>;

const BEARER_CHALLENGE = 'Bearer realm="apiusers"';
const LAST_USED_WRITE_EVERY_MS = 60_000;

/**
 * API key verification: format and checksum (no I/O) -> HMAC -> cache -> database on a miss.
 * The cache entry holds the key's expiry, so an expired key is refused on a hit too; revoking a
 * key or changing its user drops the entry at once.
 */
export class ApiKeyVerifier {
  private readonly lastUsedWrite = new Map<string, number>();

  constructor(private readonly deps: Deps, private readonly onError: (error: unknown) => void) {}

  /** @throws AppError credential.malformed / .invalid / .expired / .revoked (401), auth.account_disabled (403) */
  async verify(key: string): Promise<VerifiedCredential> {
    return this.verifyFast(key);
  }

  /**
   * Like `verify`, without a promise on a cache hit: the consumption API's hot path.
   * @throws AppError (synchronously, or as the promise's rejection on a miss)
   */
  verifyFast(key: string): VerifiedCredential | Promise<VerifiedCredential> {
    if (!parseCredential(key) || !key.startsWith('au_key_')) {
      throw appError('credential.malformed', 'This is not an apiusers API key (au_key_…), or it was mistyped: its checksum does not match.', {
        headers: { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` },
      });
    }
    const hash = apiKeyHash(this.deps.secretKey, key);
    const cached = this.deps.verificationCache.get(hash);
    if (!cached) return this.lookUp(hash);
    if (cached.expiresAt && Date.parse(cached.expiresAt) <= this.deps.clock.now().getTime()) this.refuse('credential.expired', 'The API key has expired.');
    return cached;
  }

  /**
   * The key's verification-cache key, or null when it cannot be an API key (prefix, length). No
   * I/O. The checksum is left to verifyFast: only a key that passed it is ever cached, so a
   * mistyped key finds nothing under its cache key and takes the full path, which refuses it.
   */
  cacheKeyOf(key: string): string | null {
    return key.length === CREDENTIAL_LENGTH && key.startsWith('au_key_') ? apiKeyHash(this.deps.secretKey, key) : null;
  }

  /** The cached verification under `cacheKey` when it is valid now; null otherwise (not cached, expired). No I/O. */
  cachedByKey(cacheKey: string): VerifiedCredential | null {
    const cached = this.deps.verificationCache.get(cacheKey);
    if (!cached || (cached.expiresAt && Date.parse(cached.expiresAt) <= this.deps.clock.now().getTime())) return null;
    return cached;
  }

  private async lookUp(hash: string): Promise<VerifiedCredential> {
    const now = this.deps.clock.now().toISOString();
    const readAt = this.deps.verificationCache.generation;
    const row = await findApiKeyForVerification(this.deps.db, hash);
    if (!row) this.refuse('credential.invalid', 'The API key is not known.');
    if (row.revoked_at) this.refuse('credential.revoked', 'The API key was revoked.');
    if (row.expires_at && row.expires_at <= now) this.refuse('credential.expired', 'The API key has expired.');
    if (row.status !== 'enabled') throw appError('auth.account_disabled', `${row.username} is disabled; an administrator can enable it.`);
    const verified: VerifiedCredential = {
      userId: row.user_id, organizationId: row.organization_id, credentialId: row.id, username: row.username!,
      applications: new Set(row.applications), kind: 'api_key', expiresAt: row.expires_at, rateLimitTier: row.rate_limit_tier ?? null,
    };
    // Not kept when a change was dropped from the cache meanwhile: this read may predate it.
    this.deps.verificationCache.set(hash, verified, readAt);
    return verified;
  }

  /** Last use (time, IP, user agent, application), written at most once a minute per key, off the request path. */
  recordUse(verified: VerifiedCredential, use: { ip: string; userAgent: string | null; application: string }, nowMs = this.deps.clock.now().getTime()): void {
    if (nowMs - (this.lastUsedWrite.get(verified.credentialId) ?? 0) < LAST_USED_WRITE_EVERY_MS) return;
    this.lastUsedWrite.set(verified.credentialId, nowMs);
    recordApiKeyUse(this.deps.db, verified.credentialId, { at: new Date(nowMs).toISOString(), ip: use.ip, userAgent: use.userAgent?.slice(0, 300) ?? null, application: use.application })
      .catch(this.onError);
  }

  private refuse(code: 'credential.invalid' | 'credential.expired' | 'credential.revoked', detail: string): never {
    throw appError(code, detail, { headers: { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` } });
  }
}

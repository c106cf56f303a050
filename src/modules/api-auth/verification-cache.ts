import { LRUCache } from 'lru-cache';
import { keyedHash } from '../../lib/keyed-hash.js';

/** Where a verified OAuth access token is cached: a keyed hash of the token. */
export function accessTokenCacheKey(secretKey: Buffer, token: string): string {
  return keyedHash(secretKey, 'access_token', token);
}

/** What a successful verification proved, kept for a short time so the next call costs microseconds. */
export interface VerifiedCredential {
  userId: string;
  organizationId: string;
  credentialId: string;
  username: string;
  /** Application keys the user may connect as. */
  applications: ReadonlySet<string>;
  kind: 'password' | 'api_key' | 'access_token';
  /** When the credential stops working, checked on every cache hit. */
  expiresAt: string | null;
  /** The user's own tier; null means the organization's default. */
  rateLimitTier: string | null;
  /**
   * What GET /v2/account-info answers about the user and organization, filled on first use, so a
   * cached call reads nothing from the database. Dropped with the entry when the user changes.
   */
  profile?: unknown;
  /** What POST /v1/verify answers about the user and organization, filled on first use likewise. */
  serviceView?: unknown;
}

/**
 * An administrator's personal access token, verified: the principal it acts as. Cached beside API
 * user credentials (under a different HMAC purpose) so the verify API's caller costs no query.
 */
export interface CachedPrincipal {
  kind: 'admin_token';
  userId: string;
  credentialId: string;
  expiresAt: string | null;
  /** The Principal (typed loosely here so this module does not depend on the sessions module). */
  principal: unknown;
  /** When last use was last written (throttled to once a minute). */
  lastUseWrittenAt: number;
}

type CacheEntry = VerifiedCredential | CachedPrincipal;

/**
 * One bounded (LRU) cache of verified credentials, keyed by an HMAC of the credential (never the
 * credential itself), with a short TTL. Any change to a user drops that user's entries at once
 * (`invalidateUser`), so a disabled user is refused on the next request, not after the TTL.
 */
export class VerificationCache {
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly keysByUser = new Map<string, Set<string>>();

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.entries = new LRUCache<string, CacheEntry>({
      max: options.max ?? 100_000,
      ttl: options.ttlMs ?? 60_000,
      dispose: (value, key) => {
        const keys = this.keysByUser.get(value.userId);
        keys?.delete(key);
        if (keys?.size === 0) this.keysByUser.delete(value.userId);
      },
    });
  }

  get(key: string): VerifiedCredential | undefined {
    const entry = this.entries.get(key);
    return entry && entry.kind !== 'admin_token' ? entry : undefined;
  }

  getPrincipal(key: string): CachedPrincipal | undefined {
    const entry = this.entries.get(key);
    return entry?.kind === 'admin_token' ? entry : undefined;
  }

  set(key: string, value: CacheEntry): void {
    this.entries.set(key, value);
    let keys = this.keysByUser.get(value.userId);
    if (!keys) this.keysByUser.set(value.userId, (keys = new Set()));
    keys.add(key);
  }

  /** Drops every cached verification of the user (changed, disabled, deleted, new password). */
  invalidateUser(userId: string): void {
    for (const key of [...(this.keysByUser.get(userId) ?? [])]) this.entries.delete(key);
    this.keysByUser.delete(userId);
  }

  clear(): void {
    this.entries.clear();
    this.keysByUser.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

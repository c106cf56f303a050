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
  /** The administrator's organization: a change to its roles drops the entry. */
  organizationId: string;
  credentialId: string;
  expiresAt: string | null;
  /** The Principal (typed loosely here so this module does not depend on the sessions module). */
  principal: unknown;
  /** When last use was last written (throttled to once a minute). */
  lastUseWrittenAt: number;
}

type CacheEntry = VerifiedCredential | CachedPrincipal;

/** A change whose cached verifications are dropped: a user's, or an organization's. */
export type Invalidation = { kind: 'user'; userId: string } | { kind: 'organization'; organizationId: string };

/**
 * Told what was dropped: one change's entries, or everything (null). For what other modules keep
 * beside the cache and must drop with it (the rate limiter's default tier of an organization).
 */
export type DropListener = (dropped: Invalidation | null) => void;

/**
 * One bounded (LRU) cache of verified credentials, keyed by an HMAC of the credential (never the
 * credential itself), with a short TTL. Any change drops the entries it affects at once: a
 * user's (`invalidateUser`: the user, a key, a password, an application assignment), an
 * organization's (`invalidateOrganization`: its name or time zone, a role's privileges, an
 * application's name, the credential policy), or all of them (`clear`). So a disabled user is
 * refused on the next request, not after the TTL. `get` stays one map lookup: the indexes by
 * user and organization are kept on `set` and on removal, never on a hit.
 */
export class VerificationCache {
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly keysByUser = new Map<string, Set<string>>();
  private readonly keysByOrganization = new Map<string, Set<string>>();
  private readonly dropListeners = new Set<DropListener>();
  private drops = 0;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.entries = new LRUCache<string, CacheEntry>({
      max: options.max ?? 100_000,
      ttl: options.ttlMs ?? 60_000,
      dispose: (value, key) => {
        unindex(this.keysByUser, value.userId, key);
        unindex(this.keysByOrganization, value.organizationId, key);
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

  /**
   * Counts every drop (a user, an organization, everything). Read it before the database read
   * that a verification is made of, and pass it to `set`: a drop in between means the read may
   * predate the change, so the entry is not kept.
   */
  get generation(): number {
    return this.drops;
  }

  /**
   * Keeps a verification, unless something was dropped since `readAt` (a `generation`): a
   * change that committed while this one was read from the database (here or, through the
   * invalidation bus, on another instance) must not be cached for a whole TTL.
   * @returns whether the entry was kept
   */
  set(key: string, value: CacheEntry, readAt?: number): boolean {
    if (readAt !== undefined && readAt !== this.drops) return false;
    this.entries.set(key, value);
    index(this.keysByUser, value.userId, key);
    index(this.keysByOrganization, value.organizationId, key);
    return true;
  }

  /** Drops every cached verification of the user (changed, disabled, deleted, new password). */
  invalidateUser(userId: string): void {
    this.drops++;
    for (const key of [...(this.keysByUser.get(userId) ?? [])]) this.entries.delete(key);
    this.keysByUser.delete(userId);
    this.tell({ kind: 'user', userId });
  }

  /**
   * Drops every cached verification in the organization, API users' and administrators' tokens
   * alike (its name or time zone, a role, an application or the credential policy changed).
   */
  invalidateOrganization(organizationId: string): void {
    this.drops++;
    for (const key of [...(this.keysByOrganization.get(organizationId) ?? [])]) this.entries.delete(key);
    this.keysByOrganization.delete(organizationId);
    this.tell({ kind: 'organization', organizationId });
  }

  clear(): void {
    this.drops++;
    this.entries.clear();
    this.keysByUser.clear();
    this.keysByOrganization.clear();
    this.tell(null);
  }

  /**
   * Calls `listener` after every drop: a user's entries, an organization's, or all (null).
   * @returns a function that stops the calls
   * @example const stop = cache.onDrop((dropped) => { if (dropped === null) tiers.clear(); });
   */
  onDrop(listener: DropListener): () => void {
    this.dropListeners.add(listener);
    return () => this.dropListeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  private tell(dropped: Invalidation | null): void {
    if (this.dropListeners.size === 0) return;
    for (const listener of this.dropListeners) listener(dropped);
  }
}

function index(keysBy: Map<string, Set<string>>, id: string, key: string): void {
  let keys = keysBy.get(id);
  if (!keys) keysBy.set(id, (keys = new Set()));
  keys.add(key);
}

function unindex(keysBy: Map<string, Set<string>>, id: string, key: string): void {
  const keys = keysBy.get(id);
  keys?.delete(key);
  if (keys?.size === 0) keysBy.delete(id);
}

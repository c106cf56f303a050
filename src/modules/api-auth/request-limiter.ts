import type { Registry } from 'prom-client';
import type { AppDeps } from '../../http/deps.js';
import { readCredentialPolicy } from '../organizations/credential-policy.js';
import { effectiveTier, isTier, type Tier } from './rate-limit-tiers.js';
import { ApiUserRateLimiter, localWindowCounts, rateLimitHeaders, type RateLimitState } from './rate-limiter.js';
import { SharedWindowCounts, type SyncLog } from './shared-rate-windows.js';
import type { LimitOutcome, MaybePromise, RequestLimiter } from './credential-verifier.js';
import type { VerifiedCredential } from './verification-cache.js';

/**
 * How long an organization's default tier is kept in memory before it is read again; a policy
 * change drops it sooner (see the constructor), so this only bounds what a missed drop can cost.
 */
const DEFAULT_TIER_TTL_MS = 60_000;

/**
 * The app's request limiter, counting where the database engine says: SQLite is one process
 * owning its file, so memory holds the whole count; on PostgreSQL several instances serve one
 * database, so each one's counts are reconciled in the background through
 * `api_user_rate_windows` (shared-rate-windows.ts). Picked here, once: the request path runs
 * the same code either way.
 * @example const limiter = createTierRequestLimiter(deps, { log: app.log, metrics }); app.addHook('onClose', () => limiter.close());
 */
export function createTierRequestLimiter(deps: Pick<AppDeps, 'db' | 'clock' | 'config' | 'database' | 'verificationCache'>, options: { log: SyncLog; metrics?: Registry }): TierRequestLimiter {
  const counts = deps.database.engine === 'postgres'
    ? new SharedWindowCounts({ db: deps.db, clock: deps.clock, syncIntervalMs: deps.config.rateLimitSyncMs, log: options.log, metrics: options.metrics })
    : localWindowCounts;
  return new TierRequestLimiter(deps, new ApiUserRateLimiter(counts));
}

/**
 * Applies each API user's rate-limit tier (its own, else the organization's default) on every
 * authenticated request. The default tier is read at most once a minute per organization, so the
 * hot path stays free of database reads; a credential policy change drops it on every instance
 * (with the organization's cached verifications), so the next request uses the new default.
 * Windows follow `deps.clock`, read once per request.
 * @example verifier.limiter = new TierRequestLimiter(deps);
 */
export class TierRequestLimiter implements RequestLimiter {
  private readonly defaults = new Map<string, { tier: Tier; readAt: number }>();
  private readonly stopHearingDrops: () => void;

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'clock' | 'verificationCache'>, private readonly limiter = new ApiUserRateLimiter()) {
    // The invalidation bus drops an organization's entries when its policy changes, and all of
    // them when a notification may have been missed: the default tiers go with them.
    this.stopHearingDrops = deps.verificationCache.onDrop((dropped) => {
      if (dropped === null) this.defaults.clear();
      else if (dropped.kind === 'organization') this.defaults.delete(dropped.organizationId);
    });
  }

  consume(verified: VerifiedCredential): MaybePromise<LimitOutcome> {
    const tier = this.defaultTier(verified.organizationId);
    if (tier instanceof Promise) return tier.then((t) => this.consumeAs(verified, t));
    return this.consumeAs(verified, tier);
  }

  /**
   * Counts the request only when that can be done now and lets it through: the organization's
   * default tier is in memory and the user's window has quota left. Otherwise counts nothing and
   * answers null, so the caller can take the full path (which reads the default, or answers 429).
   */
  consumeIfAllowedNow(verified: VerifiedCredential): LimitOutcome | null {
    const cached = this.defaults.get(verified.organizationId);
    const now = this.deps.clock.now().getTime();
    if (!cached || now - cached.readAt >= DEFAULT_TIER_TTL_MS) return null;
    const tier = this.tierOf(verified, cached.tier);
    if (!this.limiter.wouldAllow(verified.userId, tier, now)) return null;
    return outcome(tier, this.limiter.consume(verified.userId, tier, now));
  }

  /** Shares the counts still unsent (PostgreSQL), stops the background sync and stops hearing cache drops (the cache outlives the app). */
  close(): Promise<void> {
    this.stopHearingDrops();
    return this.limiter.close();
  }

  private consumeAs(verified: VerifiedCredential, organizationDefault: Tier): LimitOutcome {
    const tier = this.tierOf(verified, organizationDefault);
    return outcome(tier, this.limiter.consume(verified.userId, tier, this.deps.clock.now().getTime()));
  }

  private tierOf(verified: VerifiedCredential, organizationDefault: Tier): Tier {
    return effectiveTier(isTier(verified.rateLimitTier) ? verified.rateLimitTier : null, organizationDefault);
  }

  private defaultTier(organizationId: string): MaybePromise<Tier> {
    const now = this.deps.clock.now().getTime();
    const cached = this.defaults.get(organizationId);
    if (cached && now - cached.readAt < DEFAULT_TIER_TTL_MS) return cached.tier;
    const generation = this.deps.verificationCache.generation;
    return readCredentialPolicy(this.deps.db, organizationId).then((policy) => {
      const tier = policy.defaultRateLimitTier;
      // Not kept when a drop came meanwhile: the read may predate the policy change it announced.
      if (this.deps.verificationCache.generation === generation) this.defaults.set(organizationId, { tier, readAt: now });
      return tier;
    });
  }
}

function outcome(tier: Tier, state: RateLimitState): LimitOutcome {
  return {
    allowed: state.allowed,
    headers: rateLimitHeaders(state),
    retryAfter: state.resetSeconds,
    state: { tier, limit: state.limit, remaining: state.remaining, reset_seconds: state.resetSeconds },
  };
}

import type { AppDeps } from '../../http/deps.js';
import { readCredentialPolicy } from '../organizations/credential-policy.js';
import { effectiveTier, isTier, type Tier } from './rate-limit-tiers.js';
import { ApiUserRateLimiter, rateLimitHeaders, type RateLimitState } from './rate-limiter.js';
import type { LimitOutcome, MaybePromise, RequestLimiter } from './credential-verifier.js';
import type { VerifiedCredential } from './verification-cache.js';

/**
 * How long an organization's default tier is kept in memory before it is read again; a policy
 * change drops it sooner (see the constructor), so this only bounds what a missed drop can cost.
 */
const DEFAULT_TIER_TTL_MS = 60_000;

/**
 * Applies each API user's rate-limit tier (its own, else the organization's default) on every
 * authenticated request. The default tier is read at most once a minute per organization, so the
 * hot path stays free of database reads; a credential policy change drops it on every instance
 * (with the organization's cached verifications), so the next request uses the new default.
 * @example verifier.limiter = new TierRequestLimiter(deps);
 */
export class TierRequestLimiter implements RequestLimiter {
  private readonly limiter = new ApiUserRateLimiter();
  private readonly defaults = new Map<string, { tier: Tier; readAt: number }>();

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'clock' | 'verificationCache'>) {
    // The invalidation bus drops an organization's entries when its policy changes, and all of
    // them when a notification may have been missed: the default tiers go with them.
    deps.verificationCache.onDrop((dropped) => {
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
    if (!cached || this.deps.clock.now().getTime() - cached.readAt >= DEFAULT_TIER_TTL_MS) return null;
    const tier = this.tierOf(verified, cached.tier);
    if (!this.limiter.peek(verified.userId, tier).allowed) return null;
    return outcome(tier, this.limiter.consume(verified.userId, tier));
  }

  private consumeAs(verified: VerifiedCredential, organizationDefault: Tier): LimitOutcome {
    const tier = this.tierOf(verified, organizationDefault);
    return outcome(tier, this.limiter.consume(verified.userId, tier));
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

import type { AppDeps } from '../../http/deps.js';
import { readCredentialPolicy } from '../organizations/credential-policy.js';
import { effectiveTier, isTier, type Tier } from './rate-limit-tiers.js';
import { ApiUserRateLimiter, rateLimitHeaders, type RateLimitState } from './rate-limiter.js';
import type { LimitOutcome, MaybePromise, RequestLimiter } from './credential-verifier.js';
import type { VerifiedCredential } from './verification-cache.js';

/** How long an organization's default tier is kept in memory before it is read again. */
const DEFAULT_TIER_TTL_MS = 60_000;

/**
 * Applies each API user's rate-limit tier (its own, else the organization's default) on every
 * authenticated request. The default tier is read once a minute per organization, so the hot
 * path stays free of database reads; a policy change takes effect within that minute.
 * @example verifier.limiter = new TierRequestLimiter(deps);
 */
export class TierRequestLimiter implements RequestLimiter {
  private readonly limiter = new ApiUserRateLimiter();
  private readonly defaults = new Map<string, { tier: Tier; readAt: number }>();

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'clock'>) {}

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
    return readCredentialPolicy(this.deps.db, organizationId).then((policy) => {
      const tier = policy.defaultRateLimitTier;
      this.defaults.set(organizationId, { tier, readAt: now });
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

import type { AppDeps } from '../../http/deps.js';
import { readCredentialPolicy } from '../organizations/credential-policy.js';
import { effectiveTier, isTier, type Tier } from './rate-limit-tiers.js';
import { ApiUserRateLimiter, rateLimitHeaders } from './rate-limiter.js';
import type { RequestLimiter } from './credential-verifier.js';
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

  async consume(verified: VerifiedCredential) {
    const tier = effectiveTier(isTier(verified.rateLimitTier) ? verified.rateLimitTier : null, await this.defaultTier(verified.organizationId));
    const state = await this.limiter.consume(verified.userId, tier);
    return {
      allowed: state.allowed,
      headers: rateLimitHeaders(state),
      retryAfter: state.resetSeconds,
      state: { tier, limit: state.limit, remaining: state.remaining, reset_seconds: state.resetSeconds },
    };
  }

  private async defaultTier(organizationId: string): Promise<Tier> {
    const now = this.deps.clock.now().getTime();
    const cached = this.defaults.get(organizationId);
    if (cached && now - cached.readAt < DEFAULT_TIER_TTL_MS) return cached.tier;
    const policy = await readCredentialPolicy(this.deps.db, organizationId);
    const tier = policy.defaultRateLimitTier;
    this.defaults.set(organizationId, { tier, readAt: now });
    return tier;
  }
}

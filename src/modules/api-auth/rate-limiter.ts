import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_TIERS, RATE_LIMIT_WINDOW_SECONDS, REQUESTS_PER_MINUTE, type Tier } from './rate-limit-tiers.js';

/** Where an API user stands in its current window; `limit` and `remaining` are null when unlimited. */
export interface RateLimitState {
  allowed: boolean;
  limit: number | null;
  remaining: number | null;
  /** Seconds until the window ends and the full quota is back (0: unlimited). */
  resetSeconds: number;
}

const UNLIMITED: RateLimitState = Object.freeze({ allowed: true, limit: null, remaining: null, resetSeconds: 0 });

function stateOf(res: RateLimiterRes, limit: number, allowed: boolean): RateLimitState {
  return {
    allowed,
    limit,
    remaining: Math.max(limit - res.consumedPoints, 0),
    // At least 1 while a window runs: "0 seconds" would invite an immediate, refused retry.
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/**
 * Per-API-user request limits of the rate-limit tiers: one fixed one-minute window per user,
 * counted in process memory (rate-limiter-flexible's RateLimiterMemory, one per tier, keyed by
 * user id). A call costs a Map lookup and no I/O, so it can sit on the verify hot path.
 *
 * In process means per instance: behind a load balancer with N instances a user may get up to
 * N times its tier. rate-limiter-flexible has PostgreSQL and Redis stores with the same API
 * should that ever matter more than a database write per call. Windows run on the wall clock
 * (Date.now in the library), not on `deps.clock`.
 * @example const limiter = new ApiUserRateLimiter(); const state = await limiter.consume(userId, 'low');
 */
export class ApiUserRateLimiter {
  private readonly limiters = new Map<Tier, { limiter: RateLimiterMemory; limit: number }>();

  constructor() {
    for (const tier of RATE_LIMIT_TIERS) {
      const limit = REQUESTS_PER_MINUTE[tier];
      if (limit === null) continue;
      // A prefix per tier: a user moved to another tier starts a fresh window there.
      this.limiters.set(tier, { limit, limiter: new RateLimiterMemory({ points: limit, duration: RATE_LIMIT_WINDOW_SECONDS, keyPrefix: `api-user-${tier}` }) });
    }
  }

  /**
   * Counts one request of the user and says whether it may go ahead. A refused request still
   * counts, so hammering a closed window does not reopen it early.
   * @example const state = await limiter.consume(user.id, 'medium'); if (!state.allowed) reply.code(429).headers(rateLimitHeaders(state));
   */
  consume(userId: string, tier: Tier): RateLimitState | Promise<RateLimitState> {
    const entry = this.limiters.get(tier);
    // Unlimited: nothing to count, and no promise.
    if (!entry) return UNLIMITED;
    return entry.limiter.consume(userId).then(
      (res) => stateOf(res, entry.limit, true),
      (rejection: unknown) => {
        // The library rejects with a RateLimiterRes when the limit is reached, with an Error otherwise.
        if (rejection instanceof RateLimiterRes) return stateOf(rejection, entry.limit, false);
        throw rejection;
      },
    );
  }

  /**
   * The user's state without counting a request: `allowed` says whether the next request would be.
   * @example const { remaining } = await limiter.peek(user.id, 'high');
   */
  async peek(userId: string, tier: Tier): Promise<RateLimitState> {
    const entry = this.limiters.get(tier);
    if (!entry) return UNLIMITED;
    const res = await entry.limiter.get(userId);
    if (!res || res.msBeforeNext <= 0) {
      // No window running: the next request would open one with the whole quota.
      return { allowed: true, limit: entry.limit, remaining: entry.limit, resetSeconds: RATE_LIMIT_WINDOW_SECONDS };
    }
    return stateOf(res, entry.limit, res.consumedPoints < entry.limit);
  }
}

/**
 * The response fields of draft-ietf-httpapi-ratelimit-headers-06 ("RateLimit header fields for
 * HTTP"): RateLimit-Limit (requests per window), RateLimit-Remaining, and RateLimit-Reset in
 * delta-seconds, as three separate fields; plus Retry-After (RFC 9110 §10.2.3) on a refusal.
 * Unlimited users get none: there is no quota to advertise.
 * @example rateLimitHeaders({ allowed: false, limit: 60, remaining: 0, resetSeconds: 42 })
 *   // { 'RateLimit-Limit': '60', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '42', 'Retry-After': '42' }
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  if (state.limit === null) return {};
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining ?? 0),
    'RateLimit-Reset': String(state.resetSeconds),
  };
  if (!state.allowed) headers['Retry-After'] = String(Math.max(1, state.resetSeconds));
  return headers;
}

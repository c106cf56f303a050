import { RATE_LIMIT_TIERS, RATE_LIMIT_WINDOW_SECONDS, REQUESTS_PER_MINUTE, type Tier } from './rate-limit-tiers.js';
import { RateWindow, FixedWindowCounter, type WindowCounts } from './rate-window-counter.js';

/** Where an API user stands in its current window; `limit` and `remaining` are null when unlimited. */
export interface RateLimitState {
  allowed: boolean;
  limit: number | null;
  remaining: number | null;
  /** Seconds until the window ends and the full quota is back (0: unlimited). */
  resetSeconds: number;
}

const UNLIMITED: RateLimitState = Object.freeze({ allowed: true, limit: null, remaining: null, resetSeconds: 0 });

const WINDOW_MS = RATE_LIMIT_WINDOW_SECONDS * 1000;

/** At least 1 while a window runs: "0 seconds" would invite an immediate, refused retry. */
function secondsUntil(endsAt: number, now: number): number {
  return Math.max(1, Math.ceil((endsAt - now) / 1000));
}

function stateOf(window: RateWindow, limit: number, now: number): RateLimitState {
  return {
    allowed: window.consumed <= limit,
    limit,
    remaining: Math.max(limit - window.consumed, 0),
    resetSeconds: secondsUntil(window.endsAt, now),
  };
}

/** Counts in this process only: right when one process serves the database (SQLite). */
export const localWindowCounts: WindowCounts = {
  counterFor: (_tier, limit, durationMs) => new FixedWindowCounter(limit, durationMs),
  close: async () => undefined,
};

/**
 * Per-API-user request limits of the rate-limit tiers: one fixed one-minute window per user and
 * tier, aligned to the minute of the wall clock (12:03:00.000 to 12:03:59.999), so every
 * instance puts a request in the same window. A call costs a Map lookup, no I/O and no promise,
 * so it can sit on the verify hot path. Refused requests count too.
 *
 * Where the counts live is `counts`: this process only (`localWindowCounts`, SQLite), or this
 * process reconciled in the background with a row per window in PostgreSQL
 * (shared-rate-windows.ts). Time is the caller's `now` (ms), read once per request from
 * `deps.clock`, so a test moves a window to its end without waiting a minute.
 * @example const limiter = new ApiUserRateLimiter(); const state = limiter.consume(userId, 'low', Date.now());
 */
export class ApiUserRateLimiter {
  // A counter per tier: a user moved to another tier starts a fresh window there.
  private readonly counters = new Map<Tier, FixedWindowCounter>();

  constructor(private readonly counts: WindowCounts = localWindowCounts) {
    for (const tier of RATE_LIMIT_TIERS) {
      const limit = REQUESTS_PER_MINUTE[tier];
      if (limit === null) continue;
      this.counters.set(tier, counts.counterFor(tier, limit, WINDOW_MS));
    }
  }

  /**
   * Counts one request of the user and says whether it may go ahead. A refused request still
   * counts, so RateLimit-Remaining stays 0 until the window ends.
   * @example const state = limiter.consume(user.id, 'medium', now); if (!state.allowed) reply.code(429).headers(rateLimitHeaders(state));
   */
  consume(userId: string, tier: Tier, now: number): RateLimitState {
    const counter = this.counters.get(tier);
    // Unlimited: nothing to count.
    if (!counter) return UNLIMITED;
    return stateOf(counter.consume(userId, now), counter.limit, now);
  }

  /**
   * Whether the user's next request would be allowed, without counting it or building a state.
   * @example if (limiter.wouldAllow(user.id, 'low', now)) state = limiter.consume(user.id, 'low', now);
   */
  wouldAllow(userId: string, tier: Tier, now: number): boolean {
    const counter = this.counters.get(tier);
    if (!counter) return true;
    const window = counter.get(userId, now);
    return !window || window.consumed < counter.limit;
  }

  /**
   * The user's state without counting a request: `allowed` says whether the next request would be.
   * @example const { remaining } = limiter.peek(user.id, 'high', now);
   */
  peek(userId: string, tier: Tier, now: number): RateLimitState {
    const counter = this.counters.get(tier);
    if (!counter) return UNLIMITED;
    const window = counter.get(userId, now);
    // No window running: the next request would open one with the whole quota.
    if (!window) return { allowed: true, limit: counter.limit, remaining: counter.limit, resetSeconds: secondsUntil(counter.windowEnd(now), now) };
    const state = stateOf(window, counter.limit, now);
    return { ...state, allowed: window.consumed < counter.limit };
  }

  /** Stops the background work of `counts` (PostgreSQL: shares what is still unsent). */
  close(): Promise<void> {
    return this.counts.close();
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

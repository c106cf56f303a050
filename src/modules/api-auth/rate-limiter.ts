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

interface Window {
  /** Wall-clock ms when this window ends and the quota is whole again. */
  endsAt: number;
  consumed: number;
}

function stateOf(window: Window, limit: number, now: number): RateLimitState {
  return {
    allowed: window.consumed <= limit,
    limit,
    remaining: Math.max(limit - window.consumed, 0),
    // At least 1 while a window runs: "0 seconds" would invite an immediate, refused retry.
    resetSeconds: Math.max(1, Math.ceil((window.endsAt - now) / 1000)),
  };
}

/**
 * One fixed window per key, counted in a Map: the same model as rate-limiter-flexible's
 * RateLimiterMemory (the window opens at the key's first request and lasts `durationMs`; refused
 * requests still count), but synchronous, so a counted request costs no promise on the hot path.
 * Expired windows are swept at most once per window length.
 */
class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  constructor(private readonly durationMs: number) {}

  consume(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      this.sweep(now);
      window = { endsAt: now + this.durationMs, consumed: 0 };
      this.windows.set(key, window);
    }
    window.consumed += 1;
    return window;
  }

  get(key: string, now: number): Window | null {
    const window = this.windows.get(key);
    return window && window.endsAt > now ? window : null;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.durationMs;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * Per-API-user request limits of the rate-limit tiers: one fixed one-minute window per user,
 * counted in process memory, one counter per tier, keyed by user id. A call costs a Map lookup,
 * no I/O and no promise, so it can sit on the verify hot path.
 *
 * In process means per instance: behind a load balancer with N instances a user may get up to
 * N times its tier. rate-limiter-flexible has PostgreSQL and Redis stores should a shared count
 * ever matter more than a database write per call. Windows run on the wall clock (Date.now),
 * not on `deps.clock`, as the Basic failure throttle's do.
 * @example const limiter = new ApiUserRateLimiter(); const state = limiter.consume(userId, 'low');
 */
export class ApiUserRateLimiter {
  // A counter per tier: a user moved to another tier starts a fresh window there.
  private readonly counters = new Map<Tier, { counter: FixedWindowCounter; limit: number }>();

  constructor() {
    for (const tier of RATE_LIMIT_TIERS) {
      const limit = REQUESTS_PER_MINUTE[tier];
      if (limit === null) continue;
      this.counters.set(tier, { limit, counter: new FixedWindowCounter(RATE_LIMIT_WINDOW_SECONDS * 1000) });
    }
  }

  /**
   * Counts one request of the user and says whether it may go ahead. A refused request still
   * counts, so hammering a closed window does not reopen it early.
   * @example const state = limiter.consume(user.id, 'medium'); if (!state.allowed) reply.code(429).headers(rateLimitHeaders(state));
   */
  consume(userId: string, tier: Tier): RateLimitState {
    const entry = this.counters.get(tier);
    // Unlimited: nothing to count.
    if (!entry) return UNLIMITED;
    const now = Date.now();
    return stateOf(entry.counter.consume(userId, now), entry.limit, now);
  }

  /**
   * The user's state without counting a request: `allowed` says whether the next request would be.
   * @example const { remaining } = limiter.peek(user.id, 'high');
   */
  peek(userId: string, tier: Tier): RateLimitState {
    const entry = this.counters.get(tier);
    if (!entry) return UNLIMITED;
    const now = Date.now();
    const window = entry.counter.get(userId, now);
    // No window running: the next request would open one with the whole quota.
    if (!window) return { allowed: true, limit: entry.limit, remaining: entry.limit, resetSeconds: RATE_LIMIT_WINDOW_SECONDS };
    const state = stateOf(window, entry.limit, now);
    return { ...state, allowed: window.consumed < entry.limit };
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

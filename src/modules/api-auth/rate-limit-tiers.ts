import { Type } from 'typebox';

/**
 * Rate-limit tiers, as dotdigital sells them to API users: Low, Medium, High and Unlimited
 * requests per minute. An API user has its own tier or (null) the organization's default
 * (organizations.settings `default_rate_limit_tier`, 'medium' unless an administrator changes it).
 */
export const RATE_LIMIT_TIERS = ['low', 'medium', 'high', 'unlimited'] as const;

export type Tier = (typeof RATE_LIMIT_TIERS)[number];

/** The length of one rate-limit window: the tiers are counted per minute. */
export const RATE_LIMIT_WINDOW_SECONDS = 60;

/*
 * Requests per minute of each tier. `unlimited` is null, not Infinity or a large number, on
 * purpose:
 *  - it is what the customer bought: a trusted bulk integration (a nightly sync, a data lake
 *    export) must never be throttled by its own account, so no number would be honest;
 *  - with no limit there is nothing to count, so the verify hot path touches no limiter at all
 *    for these users (no map entry, no timer);
 *  - the API answers `requests_per_minute: null` and sends no RateLimit-* fields: advertising a
 *    made-up quota would let clients pace themselves against a limit that does not exist.
 * The service still protects itself: failed authentications are throttled per username and IP
 * (api-user-authenticator.ts), and a load balancer can cap traffic per client address.
 */
export const REQUESTS_PER_MINUTE: Readonly<Record<Tier, number | null>> = Object.freeze({
  low: 60,
  medium: 300,
  high: 1200,
  unlimited: null,
});

/** @example isTier('high') // true; isTier('gold') // false */
export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (RATE_LIMIT_TIERS as readonly string[]).includes(value);
}

/**
 * The tier that applies to an API user: its own, else the organization's default.
 * @example effectiveTier(null, 'medium') // 'medium'; effectiveTier('high', 'medium') // 'high'
 */
export function effectiveTier(userTier: Tier | null, organizationDefault: Tier): Tier {
  return userTier ?? organizationDefault;
}

/** @example effectiveRateLimit('low') // { tier: 'low', requests_per_minute: 60 } */
export function effectiveRateLimit(tier: Tier): { tier: Tier; requests_per_minute: number | null } {
  return { tier, requests_per_minute: REQUESTS_PER_MINUTE[tier] };
}

/** The tier in request and response schemas. */
export const TierSchema = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('unlimited')], {
  description: 'Requests per minute: low 60, medium 300, high 1200, unlimited no limit.',
  examples: ['medium'],
});

export const EffectiveRateLimitSchema = Type.Object({
  tier: TierSchema,
  requests_per_minute: Type.Union([Type.Integer(), Type.Null()], { description: 'null: unlimited.', examples: [300] }),
}, { description: "The limit that applies: the API user's own tier, or the organization's default." });

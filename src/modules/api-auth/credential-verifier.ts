import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { ApiUserAuthenticator } from './api-user-authenticator.js';
import { BASIC_CHALLENGE, parseBasicAuthorization } from './basic-credentials.js';
import { ConnectionMemo } from '../../lib/connection-memo.js';
import { accessTokenCacheKey, type VerifiedCredential } from './verification-cache.js';

/** The outcome codes of POST /v1/verify (the Unkey idea): business results, not HTTP errors. */
export type VerifyCode = 'VALID' | 'NOT_FOUND' | 'MALFORMED' | 'DISABLED' | 'EXPIRED' | 'REVOKED' | 'APPLICATION_NOT_ASSIGNED' | 'RATE_LIMITED';

const CODE_OF: Record<string, VerifyCode> = {
  'credential.malformed': 'MALFORMED',
  // identify() refuses an unsupported scheme ("Digest …", or any text with a space) this way; to
  // /v1/verify it is the presented credential that is malformed, not the caller unauthenticated.
  'auth.unauthenticated': 'MALFORMED',
  'credential.invalid': 'NOT_FOUND',
  'api_user.invalid_credentials': 'NOT_FOUND',
  'credential.expired': 'EXPIRED',
  'credential.revoked': 'REVOKED',
  'auth.account_disabled': 'DISABLED',
  'application_not_assigned': 'APPLICATION_NOT_ASSIGNED',
  'api_user.too_many_attempts': 'RATE_LIMITED',
  'api_user.rate_limited': 'RATE_LIMITED',
};

/**
 * A value, or a promise of it when it had to wait for I/O. The hot path returns cache hits
 * without a promise: every await is a trip through the microtask queue.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Verifies a JWT access token; provided by the OAuth module. */
export type AccessTokenVerifier = (token: string) => MaybePromise<VerifiedCredential>;

export interface LimitOutcome {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfter: number;
  state: unknown;
}

/** Per-user request limits; provided by the rate-limit module. */
export interface RequestLimiter {
  consume(verified: VerifiedCredential): MaybePromise<LimitOutcome>;
  /** Counts and answers only when allowed and known without I/O; else counts nothing: null. */
  consumeIfAllowedNow(verified: VerifiedCredential): LimitOutcome | null;
}

/** A cached access token's state by its cache key, as the OAuth module knows it without I/O. */
export type CachedAccessTokenPeek = (cacheKey: string) => VerifiedCredential | null;

/** Where a credential's verification is cached, found from its text (parsing and an HMAC). */
type CacheLocation = { kind: 'api_key'; cacheKey: string } | { kind: 'password'; cacheKey: string; username: string } | { kind: 'access_token'; cacheKey: string };

/** What a request answered from memory was admitted with. */
export interface AdmittedFromCache {
  verified: VerifiedCredential;
  /** The rate-limit outcome it was counted with; null when the app has no limiter. */
  limit: LimitOutcome | null;
}

/** RFC 9110 §11.6.1: every scheme the consumption API accepts, so a client can pick one. */
const CHALLENGES = `${BASIC_CHALLENGE}, Bearer realm="apiusers"`;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The one entry to API user authentication, for every credential kind: HTTP Basic (password),
 * API keys (Bearer or X-API-Key) and JWT access tokens (Bearer). One instance per app: the
 * verifiers keep in-process state (throttles, last-use write times).
 */
export class CredentialVerifier {
  readonly basic: ApiUserAuthenticator;
  readonly keys: ApiKeyVerifier;
  accessTokens: AccessTokenVerifier | null = null;
  /** Set with accessTokens: a cached, valid access token, or null. */
  cachedAccessToken: CachedAccessTokenPeek | null = null;
  limiter: RequestLimiter | null = null;

  private readonly clock: AppDeps['clock'];
  private readonly secretKey: Buffer;
  /** Per keep-alive connection: the last credential's cache location, so repeating it costs no HMAC. */
  private readonly locations = new ConnectionMemo<CacheLocation | null>();

  constructor(deps: AppDeps, onError: (error: unknown) => void) {
    this.clock = deps.clock;
    this.secretKey = deps.secretKey;
    this.basic = new ApiUserAuthenticator(deps, onError);
    this.keys = new ApiKeyVerifier(deps, onError);
  }

  /**
   * Verifies one credential string: `Basic …`, `Bearer …`, a bare API key or a bare JWT.
   * @throws AppError with the HTTP status the consumption API answers
   */
  verifyCredential(credential: string, application: string, ip: string, userAgent: string | null): MaybePromise<VerifiedCredential> {
    const identified = this.identify(credential, ip);
    if (identified instanceof Promise) return identified.then((verified) => this.admit(verified, application, ip, userAgent));
    return this.admit(identified, application, ip, userAgent);
  }

  private admit(verified: VerifiedCredential, application: string, ip: string, userAgent: string | null): VerifiedCredential {
    this.assertApplication(verified, application);
    this.recordUse(verified, ip, userAgent, application);
    return verified;
  }

  /** Last use of a key, last sign-in of the user: throttled writes off the request path. */
  private recordUse(verified: VerifiedCredential, ip: string, userAgent: string | null, application: string): void {
    const nowMs = this.clock.now().getTime();
    if (verified.kind === 'api_key') this.keys.recordUse(verified, { ip, userAgent, application }, nowMs);
    this.basic.touchSignIn(verified.userId, nowMs);
  }

  /** Who the credential proves, before the application rule. @throws AppError (synchronously, or as the rejection) */
  identify(credential: string, ip: string): MaybePromise<VerifiedCredential> {
    const trimmed = credential.trim();
    const scheme = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s|$)/.exec(trimmed)?.[1]?.toLowerCase();
    if (scheme !== undefined && scheme !== 'basic' && scheme !== 'bearer' && !trimmed.startsWith('au_')) {
      throw appError('auth.unauthenticated', `The "${scheme}" authentication scheme is not supported; use Basic or Bearer.`, { headers: { 'www-authenticate': CHALLENGES } });
    }
    if (scheme === 'basic') {
      const basic = parseBasicAuthorization(trimmed);
      if (!basic) throw appError('credential.malformed', 'The Basic credential is not base64 of "username:password".', { headers: { 'www-authenticate': BASIC_CHALLENGE } });
      return this.basic.authenticateFast(basic.username, basic.password, null, ip);
    }
    const token = trimmed.replace(/^bearer\s+/i, '');
    if (token.startsWith('au_')) return this.keys.verifyFast(token);
    if (JWT_SHAPE.test(token) && this.accessTokens) return this.accessTokens(token);
    throw appError('credential.malformed', 'Send an API key (au_key_…), an access token from /oauth/token, or HTTP Basic credentials.', {
      headers: { 'www-authenticate': 'Bearer realm="apiusers", error="invalid_token"' },
    });
  }

  /**
   * The request's whole admission when it can be decided from memory and succeeds: a cached
   * credential that is valid now, the application assigned, and quota left (counted). Then,
   * like the full path, it records the use. Anything else (a cache miss, an expired or
   * throttled credential, a wrong application, a spent quota, a malformed header) answers null
   * having done nothing, so the caller takes the full path, which gives the same answer as
   * before. `ready` says whether the caller can answer for this credential from memory too (its
   * cached view of the user); it is asked before anything is counted. The hot paths outside
   * Fastify start here.
   */
  admitFromCache(credential: string, application: string, ip: string, userAgent: string | null, ready: (verified: VerifiedCredential) => boolean, connection?: object): AdmittedFromCache | null {
    const location = connection ? this.locations.get(connection, credential, this.locate) : this.locate(credential);
    const verified = location ? this.cachedAt(location, ip) : null;
    if (!verified || !verified.applications.has(application) || !ready(verified)) return null;
    let limit: LimitOutcome | null = null;
    if (this.limiter) {
      limit = this.limiter.consumeIfAllowedNow(verified);
      if (!limit) return null;
    }
    this.recordUse(verified, ip, userAgent, application);
    return { verified, limit };
  }

  /** Where identify() would look the credential up in the cache; null for what it would not look up. No I/O. */
  private readonly locate = (credential: string): CacheLocation | null => {
    const trimmed = credential.trim();
    const space = trimmed.indexOf(' ');
    const scheme = space > 0 ? trimmed.slice(0, space).toLowerCase() : null;
    if (scheme === 'basic') {
      const basic = parseBasicAuthorization(trimmed);
      return basic ? { kind: 'password', username: basic.username, cacheKey: this.basic.cacheKeyOf(basic.username, basic.password) } : null;
    }
    const token = scheme === 'bearer' ? trimmed.slice(space).trimStart() : scheme === null ? trimmed : null;
    if (token === null) return null;
    if (token.startsWith('au_')) {
      const cacheKey = this.keys.cacheKeyOf(token);
      return cacheKey ? { kind: 'api_key', cacheKey } : null;
    }
    return JWT_SHAPE.test(token) ? { kind: 'access_token', cacheKey: accessTokenCacheKey(this.secretKey, token) } : null;
  };

  /** The cached verification at a location, when it is valid now; null otherwise. No I/O, no side effects. */
  private cachedAt(location: CacheLocation, ip: string): VerifiedCredential | null {
    if (location.kind === 'api_key') return this.keys.cachedByKey(location.cacheKey);
    if (location.kind === 'password') return this.basic.cachedByKey(location.username, location.cacheKey, ip);
    return this.cachedAccessToken ? this.cachedAccessToken(location.cacheKey) : null;
  }

  /** The Movius rule: a credential works only for the applications assigned to its API user. */
  assertApplication(verified: VerifiedCredential, application: string): void {
    if (!verified.applications.has(application)) {
      throw appError('application_not_assigned', `${verified.username} may not connect as "${application}". Its applications: ${[...verified.applications].join(', ') || 'none'}. An administrator can add the application to this API user.`);
    }
  }

  /** The credential a consumption request carries: Authorization (Basic or Bearer) or X-API-Key. */
  credentialOf(request: FastifyRequest): string {
    const authorization = request.headers.authorization;
    if (authorization) return authorization;
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
    throw appError('auth.unauthenticated', 'Authenticate with HTTP Basic (username and password), an API key (Authorization: Bearer au_key_… or X-API-Key) or an access token (Authorization: Bearer).', {
      headers: { 'www-authenticate': CHALLENGES },
    });
  }

  /**
   * Authenticates a consumption request and applies the API user's rate limit, setting the
   * RateLimit headers. @returns the verified API user
   */
  authenticateRequest(request: FastifyRequest, reply: FastifyReply, application: string): MaybePromise<VerifiedCredential> {
    const verified = this.verifyCredential(this.credentialOf(request), application, request.ip, request.headers['user-agent'] ?? null);
    if (verified instanceof Promise) return verified.then((v) => this.applyLimit(v, reply));
    return this.applyLimit(verified, reply);
  }

  /**
   * Counts the request against the API user's rate-limit tier and sets the RateLimit headers.
   * @throws AppError api_user.rate_limited (429 with Retry-After) when the tier is spent
   */
  applyLimit(verified: VerifiedCredential, reply: FastifyReply): MaybePromise<VerifiedCredential> {
    if (!this.limiter) return verified;
    const limit = this.limiter.consume(verified);
    if (limit instanceof Promise) return limit.then((l) => this.limited(verified, l, reply));
    return this.limited(verified, limit, reply);
  }

  private limited(verified: VerifiedCredential, limit: LimitOutcome, reply: FastifyReply): VerifiedCredential {
    for (const name in limit.headers) reply.header(name, limit.headers[name]);
    if (!limit.allowed) {
      throw appError('api_user.rate_limited', `${verified.username} reached its rate limit; retry in ${limit.retryAfter} seconds.`, {
        headers: { 'retry-after': String(limit.retryAfter) }, retry_after: limit.retryAfter,
      });
    }
    return verified;
  }

  /** For POST /v1/verify: the same checks, answered as a code instead of an HTTP error. */
  async verifyForService(credential: string, application: string, ip: string): Promise<{ code: VerifyCode; verified: VerifiedCredential | null; detail: string; limit: unknown; retryAfter: number | null }> {
    let verified: VerifiedCredential | null = null;
    try {
      verified = await this.identify(credential, ip);
      this.assertApplication(verified, application);
      this.recordUse(verified, ip, null, application);
      if (this.limiter) {
        const limit = await this.limiter.consume(verified);
        if (!limit.allowed) return { code: 'RATE_LIMITED', verified, detail: 'The API user reached its rate limit.', limit: limit.state, retryAfter: limit.retryAfter };
        return { code: 'VALID', verified, detail: 'Valid.', limit: limit.state, retryAfter: null };
      }
      return { code: 'VALID', verified, detail: 'Valid.', limit: null, retryAfter: null };
    } catch (error) {
      if (error instanceof AppError && CODE_OF[error.code]) {
        const retryAfter = typeof error.extra.retry_after === 'number' ? error.extra.retry_after : null;
        // Who the credential belongs to is part of the answer when only the application was wrong.
        return { code: CODE_OF[error.code]!, verified: error.code === 'application_not_assigned' ? verified : null, detail: error.detail, limit: null, retryAfter };
      }
      throw error;
    }
  }
}

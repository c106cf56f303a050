import { RateLimiterMemory } from 'rate-limiter-flexible';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { constantTimeEqual, keyedHash } from '../../lib/keyed-hash.js';
import { verifyAgainstDummy, verifyPassword } from '../../lib/password-hash.js';
import { GENERATED_PASSWORD_PREFIX, generatedPasswordHash } from '../api-users/api-user-credentials.js';
import { BASIC_CHALLENGE } from './basic-credentials.js';
import { findApiUserForAuthentication, recordApiUserSignIn } from './api-user-credential.repository.js';
import type { VerifiedCredential } from './verification-cache.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'verificationCache'>;

/** Failed Basic authentications allowed per window, per username and per client IP. */
export const BASIC_FAILURE_LIMITS = { perUsername: 10, perIp: 50, windowSeconds: 15 * 60 } as const;
const SIGN_IN_WRITE_EVERY_MS = 60_000;

/**
 * Authenticates API users with HTTP Basic. The first success runs argon2id (or the HMAC of a
 * generated password); later calls with the same credentials hit the verification cache and
 * cost microseconds. Failures are throttled per username and per IP before any hashing, so
 * argon2 cannot be used to burn the CPU. One instance per app: it holds in-process state.
 */
export class ApiUserAuthenticator {
  private readonly failuresByUsername = new RateLimiterMemory({ points: BASIC_FAILURE_LIMITS.perUsername, duration: BASIC_FAILURE_LIMITS.windowSeconds });
  private readonly failuresByIp = new RateLimiterMemory({ points: BASIC_FAILURE_LIMITS.perIp, duration: BASIC_FAILURE_LIMITS.windowSeconds });
  private readonly lastSignInWrite = new Map<string, number>();
  /** `u:<username>` and `i:<ip>` that failed, and until when their throttle window runs (wall clock ms). */
  private readonly recentFailures = new Map<string, number>();

  constructor(private readonly deps: Deps, private readonly onError: (error: unknown) => void) {}

  /**
   * @returns the verified API user, allowed to connect as `application` (not checked when null)
   * @throws AppError 401 (unknown user or wrong password, same answer), 403 (disabled, or
   *   application not assigned), 429 (too many failures)
   */
  async authenticate(username: string, password: string, application: string | null, ip: string): Promise<VerifiedCredential> {
    return this.authenticateFast(username, password, application, ip);
  }

  /**
   * Like `authenticate`, without a promise when nothing needs waiting for: no recent failure of
   * this username or IP, and the credentials in the verification cache. The consumption API's hot path.
   * @throws AppError (synchronously, or as the promise's rejection)
   */
  authenticateFast(username: string, password: string, application: string | null, ip: string): VerifiedCredential | Promise<VerifiedCredential> {
    // The throttle is checked before the cache too: otherwise, while a username is throttled, a
    // cached right password would still answer 200 and every wrong guess 429, telling a guesser
    // which is right.
    const nowMs = this.deps.clock.now().getTime();
    if (this.mayBeThrottled(username, ip)) return this.authenticateSlowly(username, password, application, ip, true);
    const verified = this.deps.verificationCache.get(this.cacheKeyOf(username, password));
    if (!verified) return this.authenticateSlowly(username, password, application, ip, false);
    return this.accept(verified, application, nowMs);
  }

  /**
   * The cached verification under `cacheKey` (see cacheKeyOf) when it is valid now and neither
   * the username nor the IP failed recently; null otherwise. No I/O, nothing counted or written.
   */
  cachedByKey(username: string, cacheKey: string, ip: string): VerifiedCredential | null {
    if (this.mayBeThrottled(username, ip)) return null;
    const verified = this.deps.verificationCache.get(cacheKey);
    if (!verified || (verified.expiresAt && Date.parse(verified.expiresAt) <= this.deps.clock.now().getTime())) return null;
    return verified;
  }

  /** The verification-cache key of these credentials. */
  cacheKeyOf(username: string, password: string): string {
    return keyedHash(this.deps.secretKey, 'basic', `${username}\0${password}`);
  }

  private async authenticateSlowly(username: string, password: string, application: string | null, ip: string, throttleCheck: boolean): Promise<VerifiedCredential> {
    if (throttleCheck) await this.assertNotThrottled(username, ip);
    const cacheKey = this.cacheKeyOf(username, password);
    let verified = this.deps.verificationCache.get(cacheKey);
    if (!verified) {
      // A change dropped from the cache during the read (argon2 included) may not be in it: not kept then.
      const readAt = this.deps.verificationCache.generation;
      verified = await this.verify(username, password, ip);
      this.deps.verificationCache.set(cacheKey, verified, readAt);
    }
    return this.accept(verified, application, this.deps.clock.now().getTime());
  }

  private accept(verified: VerifiedCredential, application: string | null, nowMs: number): VerifiedCredential {
    if (verified.expiresAt && Date.parse(verified.expiresAt) <= nowMs) {
      throw appError('credential.expired', `The password of ${verified.username} has expired; an administrator can set a new one.`, { headers: { 'www-authenticate': BASIC_CHALLENGE } });
    }
    if (application !== null && !verified.applications.has(application)) {
      throw appError('application_not_assigned', `${verified.username} may not connect as "${application}". Its applications: ${[...verified.applications].join(', ') || 'none'}. An administrator can add the application to this API user.`);
    }
    if (application !== null) this.touchSignIn(verified.userId, nowMs);
    return verified;
  }

  /**
   * Whether the username or IP failed within the throttle window, so the limiters must be asked
   * (an await). Without a recent failure there is nothing counted, and no promise to wait for.
   * Wall clock, like the limiters' windows (rate-limiter-flexible uses Date.now).
   */
  private mayBeThrottled(username: string, ip: string): boolean {
    if (this.recentFailures.size === 0) return false;
    const now = Date.now();
    return this.failedRecently(`u:${username.toLowerCase()}`, now) || this.failedRecently(`i:${ip}`, now);
  }

  private failedRecently(key: string, now: number): boolean {
    const until = this.recentFailures.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.recentFailures.delete(key);
    return false;
  }

  private noteFailure(username: string, ip: string): void {
    const now = Date.now();
    if (this.recentFailures.size >= 100_000) {
      for (const [key, end] of this.recentFailures) if (end <= now) this.recentFailures.delete(key);
    }
    const until = now + BASIC_FAILURE_LIMITS.windowSeconds * 1000;
    this.recentFailures.set(`u:${username.toLowerCase()}`, until);
    this.recentFailures.set(`i:${ip}`, until);
  }

  private async assertNotThrottled(username: string, ip: string): Promise<void> {
    const [byUser, byIp] = await Promise.all([this.failuresByUsername.get(username.toLowerCase()), this.failuresByIp.get(ip)]);
    const spent = [
      [byUser, BASIC_FAILURE_LIMITS.perUsername],
      [byIp, BASIC_FAILURE_LIMITS.perIp],
    ] as const;
    for (const [state, limit] of spent) {
      if (state && state.consumedPoints >= limit) {
        const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
        throw appError('api_user.too_many_attempts', `Too many failed authentications; try again in ${retryAfter} seconds.`, {
          headers: { 'retry-after': String(retryAfter) },
          retry_after: retryAfter,
        });
      }
    }
  }

  private async verify(username: string, password: string, ip: string): Promise<VerifiedCredential> {
    const user = await findApiUserForAuthentication(this.deps.db, username);
    const stored = user?.secret_hash ?? null;
    let ok = false;
    if (stored?.startsWith(GENERATED_PASSWORD_PREFIX)) {
      ok = constantTimeEqual(stored, generatedPasswordHash(this.deps.secretKey, password));
      // Same time as an argon2 failure, so a wrong password does not reveal which kind the user has.
      if (!ok) await verifyAgainstDummy(password);
    } else if (stored) {
      ok = await verifyPassword(stored, password);
    } else {
      await verifyAgainstDummy(password);
    }
    if (!ok || !user) {
      this.noteFailure(username, ip);
      await Promise.all([
        this.failuresByUsername.penalty(username.toLowerCase(), 1),
        this.failuresByIp.penalty(ip, 1),
      ]);
      throw appError('api_user.invalid_credentials', 'The username or password is incorrect.', { headers: { 'www-authenticate': BASIC_CHALLENGE } });
    }
    if (user.status !== 'enabled') {
      throw appError('auth.account_disabled', `${user.username} is disabled; an administrator can enable it.`);
    }
    await this.failuresByUsername.delete(username.toLowerCase());
    return {
      userId: user.id, organizationId: user.organization_id, credentialId: user.credential_id!, username: user.username!,
      applications: new Set(user.applications), kind: 'password', expiresAt: user.expires_at ?? null, rateLimitTier: user.rate_limit_tier ?? null,
    };
  }

  /** Last sign-in, written at most once a minute per user and off the request path. */
  touchSignIn(userId: string, nowMs = this.deps.clock.now().getTime()): void {
    const last = this.lastSignInWrite.get(userId) ?? 0;
    if (nowMs - last < SIGN_IN_WRITE_EVERY_MS) return;
    this.lastSignInWrite.set(userId, nowMs);
    recordApiUserSignIn(this.deps.db, userId, new Date(nowMs).toISOString()).catch(this.onError);
  }
}

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

  constructor(private readonly deps: Deps, private readonly onError: (error: unknown) => void) {}

  /**
   * @returns the verified API user, allowed to connect as `application` (not checked when null)
   * @throws AppError 401 (unknown user or wrong password, same answer), 403 (disabled, or
   *   application not assigned), 429 (too many failures)
   */
  async authenticate(username: string, password: string, application: string | null, ip: string): Promise<VerifiedCredential> {
    // Checked before the cache too: otherwise, while a username is throttled, a cached right
    // password would still answer 200 and every wrong guess 429, telling a guesser which is right.
    await this.assertNotThrottled(username, ip);
    const cacheKey = keyedHash(this.deps.secretKey, 'basic', `${username}\0${password}`);
    let verified = this.deps.verificationCache.get(cacheKey);
    if (!verified) {
      verified = await this.verify(username, password, ip);
      this.deps.verificationCache.set(cacheKey, verified);
    }
    if (verified.expiresAt && verified.expiresAt <= this.deps.clock.now().toISOString()) {
      throw appError('credential.expired', `The password of ${verified.username} has expired; an administrator can set a new one.`, { headers: { 'www-authenticate': BASIC_CHALLENGE } });
    }
    if (application !== null && !verified.applications.has(application)) {
      throw appError('application_not_assigned', `${verified.username} may not connect as "${application}". Its applications: ${[...verified.applications].join(', ') || 'none'}. An administrator can add the application to this API user.`);
    }
    if (application !== null) this.touchSignIn(verified.userId);
    return verified;
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
  touchSignIn(userId: string): void {
    const now = this.deps.clock.now();
    const last = this.lastSignInWrite.get(userId) ?? 0;
    if (now.getTime() - last < SIGN_IN_WRITE_EVERY_MS) return;
    this.lastSignInWrite.set(userId, now.getTime());
    recordApiUserSignIn(this.deps.db, userId, now.toISOString()).catch(this.onError);
  }
}

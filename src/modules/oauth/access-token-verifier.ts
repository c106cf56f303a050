import { appError, type ErrorCode } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { AccessTokenVerifier, CachedAccessTokenPeek } from '../api-auth/credential-verifier.js';
import { accessTokenCacheKey, type VerifiedCredential } from '../api-auth/verification-cache.js';
import { AccessTokenRejected, verifyAccessTokenJwt } from './access-token-jwt.js';
import { findOAuthClientById } from './oauth-client.repository.js';
import { createOAuthState, type OAuthState } from './oauth-state.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config' | 'verificationCache'>;

/** RFC 6750 §3: the challenge on every 401 of a bearer token. */
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="apiusers", error="invalid_token"';

function refuse(code: Extract<ErrorCode, 'credential.invalid' | 'credential.expired' | 'credential.revoked'>, detail: string): never {
  throw appError(code, detail, { headers: { 'www-authenticate': INVALID_TOKEN_CHALLENGE } });
}

/**
 * Verifies the JWT access tokens of /oauth/token for the consumption and verify APIs. A token is
 * verified once (signature, typ, iss, exp, revocation, its user) and then served from the
 * verification cache under a keyed hash of the token: later calls re-check only expiry and the
 * in-memory revoked set. Any change to the user drops the entry (userId), so a disabled user is
 * refused on the next call.
 * @example verifier.accessTokens = createAccessTokenVerifier(deps, state);
 * @throws AppError credential.invalid / .expired / .revoked (401), auth.account_disabled (403)
 */
export function createAccessTokenVerifier(deps: Deps, state: OAuthState = createOAuthState(deps)): AccessTokenVerifier {
  const expired = () => refuse('credential.expired', 'The access token has expired; request a new one from /oauth/token.');
  const revoked = () => refuse('credential.revoked', 'The access token was revoked.');
  // Without a promise on a cache hit once the revoked ids are in memory: the hot path.
  return (token: string): VerifiedCredential | Promise<VerifiedCredential> => {
    const cacheKey = accessTokenCacheKey(deps.secretKey, token);
    const cached = deps.verificationCache.get(cacheKey);
    if (!cached) return verifyFresh(token, cacheKey);
    if (cached.expiresAt && Date.parse(cached.expiresAt) <= deps.clock.now().getTime()) expired();
    const isRevoked = state.jwtIds.revokedInMemoryNow(cached.credentialId);
    if (isRevoked === undefined) {
      return state.jwtIds.isRevokedInMemory(cached.credentialId).then((known) => (known ? revoked() : cached));
    }
    if (isRevoked) revoked();
    return cached;
  };

  async function verifyFresh(token: string, cacheKey: string): Promise<VerifiedCredential> {
    // A revocation or change dropped from the cache during the reads below may not be in them.
    const readAt = deps.verificationCache.generation;
    let claims;
    try {
      claims = await verifyAccessTokenJwt(deps, state.keys, token);
    } catch (error) {
      if (error instanceof AccessTokenRejected) refuse(error.reason === 'expired' ? 'credential.expired' : 'credential.invalid', error.detail);
      throw error;
    }
    const expiresAt = new Date(claims.exp * 1000);
    if (await state.jwtIds.isRevoked(claims.jti, expiresAt)) refuse('credential.revoked', 'The access token was revoked.');
    const client = await findOAuthClientById(deps.db, claims.sub);
    if (!client) refuse('credential.invalid', 'The API user of this access token no longer exists.');
    if (client.status !== 'enabled') throw appError('auth.account_disabled', `${client.username} is disabled; an administrator can enable it.`);
    const verified: VerifiedCredential = {
      userId: client.userId, organizationId: client.organizationId, credentialId: claims.jti, username: client.username,
      // The token is for its audience only, and only while that application is still assigned.
      applications: new Set(client.applications.includes(claims.aud) ? [claims.aud] : []),
      kind: 'access_token', expiresAt: expiresAt.toISOString(), rateLimitTier: client.rateLimitTier,
    };
    deps.verificationCache.set(cacheKey, verified, readAt);
    return verified;
  }
}

/**
 * A cached access token (by its verification-cache key, accessTokenCacheKey) that is valid now
 * (not expired, known not revoked), without I/O; null for anything else, which the full
 * verifier then decides.
 * @example verifier.cachedAccessToken = createCachedAccessTokenPeek(deps, state);
 */
export function createCachedAccessTokenPeek(deps: Deps, state: OAuthState): CachedAccessTokenPeek {
  return (cacheKey) => {
    const cached = deps.verificationCache.get(cacheKey);
    if (!cached || (cached.expiresAt && Date.parse(cached.expiresAt) <= deps.clock.now().getTime())) return null;
    return state.jwtIds.revokedInMemoryNow(cached.credentialId) === false ? cached : null;
  };
}

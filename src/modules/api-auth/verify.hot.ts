import type { AppDeps } from '../../http/deps.js';
import type { HotRoute } from '../../http/hot-route.js';
import { grants } from '../roles/privileges.js';
import type { Principal } from '../sessions/principal.js';
import { ConnectionMemo } from '../../lib/connection-memo.js';
import { accessTokenCacheKeyOf, cachedAccessTokenByKey, touchCachedAccessToken } from '../sessions/session.service.js';
import type { CredentialVerifier } from './credential-verifier.js';
import { validVerifyAnswer, type RateLimitView, type ServiceView } from './verify.routes.js';

/** The body schema's application pattern; anything else is the route's 400. */
const APPLICATION = /^[a-z][a-z0-9-]{1,39}$/;
/** The Authorization form the administrators' side accepts (authenticate.ts). */
const BEARER = /^Bearer\s+(\S+)$/i;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The body the route's schema accepts, exactly: an object with a credential (1 to 4,096
 * characters, no NUL) and an optional application. Anything else, null: the route answers it.
 */
function readBody(body: string): { credential: string; application: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  // Only the two declared fields (a "__proto__" key is an own property after JSON.parse, so it is refused here too).
  // for-in sees own keys and any enumerable inherited one; either way an unknown key goes to the route.
  for (const key in fields) if (key !== 'credential' && key !== 'application') return null;
  const credential = fields.credential;
  const application = hasOwn.call(fields, 'application') ? fields.application : 'httpapi';
  if (typeof credential !== 'string' || credential.length === 0 || credential.length > 4096 || credential.includes('\0')) return null;
  if (typeof application !== 'string' || !APPLICATION.test(application)) return null;
  return { credential, application };
}

/**
 * POST /v1/verify from memory: the caller's personal access token cached and holding `verify`,
 * a well-formed body, and a VALID answer from the cache (a credential of the caller's
 * organization, valid now, its application assigned, within its rate limit, its user already
 * read). Anything else is left to the route in verify.routes.ts.
 * @example hot.add(verifyHotRoute(deps, verifier));
 */
export function verifyHotRoute(deps: Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'verificationCache'>, verifier: CredentialVerifier): HotRoute {
  // A verifying service sends its own token on every call of a keep-alive connection.
  const callerKeys = new ConnectionMemo<string | null>();
  const cacheKeyOf = (token: string) => accessTokenCacheKeyOf(deps.secretKey, token);
  return {
    method: 'POST',
    url: '/v1/verify',
    maxBodyBytes: 16_384,
    accept: ({ headers, socket, ip }) => {
      const type = headers['content-type'];
      if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) return null;
      const authorization = headers.authorization;
      const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
      if (token === undefined) return null;
      const cacheKey = callerKeys.get(socket, token, cacheKeyOf);
      const caller = cacheKey === null ? null : cachedAccessTokenByKey(deps, cacheKey);
      const principal = caller?.principal as Principal | undefined;
      if (!caller || !principal || !grants(principal.privileges, 'verify')) return null;
      const ownOrganization = (verified: { organizationId: string; serviceView?: unknown }) =>
        verified.organizationId === principal.organizationId && verified.serviceView !== undefined;
      return (body) => {
        const input = readBody(body);
        if (!input) return null;
        const admitted = verifier.admitFromCache(input.credential, input.application, ip, null, ownOrganization);
        if (!admitted) return null;
        touchCachedAccessToken(deps, { ip, userAgent: headers['user-agent'] ?? null }, caller);
        const { verified, limit } = admitted;
        const { json, bytes } = validVerifyAnswer(verified, input.application, verified.serviceView as ServiceView, limit ? (limit.state as RateLimitView) : null);
        return { json, bytes, headers: null };
      };
    },
  };
}

import type { AppDeps } from '../../http/deps.js';
import { AccessTokenRejected, verifyAccessTokenJwt } from './access-token-jwt.js';
import { findOAuthClientById } from './oauth-client.repository.js';
import type { OAuthState } from './oauth-state.js';

/** Who asks: the token's own client, or an administrator (of one organization) with `verify`. */
export type IntrospectionCaller = { kind: 'client'; username: string } | { kind: 'administrator'; organizationId: string };

const INACTIVE = { active: false } as const;

/**
 * RFC 7662 §2.2: whether the token is valid right now. Unlike the consumption API's cached check,
 * this reads the user's status and the revoked ids every time, so a disabled user or a revoked
 * token is inactive at once. A caller learns nothing about tokens that are not its own.
 * @example await introspectAccessToken(deps, state, token, { kind: 'client', username })
 */
export async function introspectAccessToken(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, state: OAuthState, token: string, caller: IntrospectionCaller) {
  let claims;
  try {
    claims = await verifyAccessTokenJwt(deps, state.keys, token);
  } catch (error) {
    if (error instanceof AccessTokenRejected) return INACTIVE;
    throw error;
  }
  if (caller.kind === 'client' && claims.client_id !== caller.username) return INACTIVE;
  if (await state.jwtIds.isRevoked(claims.jti, new Date(claims.exp * 1000))) return INACTIVE;
  const user = await findOAuthClientById(deps.db, claims.sub);
  if (!user || user.status !== 'enabled' || !user.applications.includes(claims.aud)) return INACTIVE;
  if (caller.kind === 'administrator' && user.organizationId !== caller.organizationId) return INACTIVE;
  return {
    active: true, sub: claims.sub, client_id: claims.client_id, username: user.username, scope: claims.scope, aud: claims.aud,
    iss: claims.iss, exp: claims.exp, iat: claims.iat, jti: claims.jti, token_type: 'Bearer' as const,
  };
}

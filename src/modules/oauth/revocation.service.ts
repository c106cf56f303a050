import type { AppDeps } from '../../http/deps.js';
import { AccessTokenRejected, verifyAccessTokenJwt } from './access-token-jwt.js';
import type { AuthenticatedClient } from './client-authentication.js';
import type { OAuthState } from './oauth-state.js';
import { InvalidRequest } from './oauth-errors.js';

/**
 * RFC 7009 §2.1: revokes an access token of the authenticated client. Its jti is refused until
 * the token expires: here at once (memory), in other instances on their next cache miss, which
 * `invalidation.userChanged` forces. Tokens that are invalid or expired need nothing (§2.2).
 * @example await revokeAccessToken(deps, state, client, token)
 * @throws InvalidRequest when the token was issued to another client (as node-oidc-provider does)
 */
export async function revokeAccessToken(deps: Pick<AppDeps, 'db' | 'clock' | 'config' | 'invalidation'>, state: OAuthState, client: AuthenticatedClient, token: string): Promise<void> {
  let claims;
  try {
    claims = await verifyAccessTokenJwt(deps, state.keys, token);
  } catch (error) {
    if (error instanceof AccessTokenRejected) return;
    throw error;
  }
  if (claims.client_id !== client.username) throw new InvalidRequest('This token was not issued to you.');
  await state.jwtIds.revoke(claims.jti, claims.sub, new Date(claims.exp * 1000));
  await deps.invalidation.userChanged(claims.sub);
}

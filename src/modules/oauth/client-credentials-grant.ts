import type { AppDeps } from '../../http/deps.js';
import { findApplicationByKey } from '../applications/application.repository.js';
import { signAccessToken } from './access-token-jwt.js';
import type { AuthenticatedClient } from './client-authentication.js';
import type { OAuthState } from './oauth-state.js';
import { InvalidTarget, UnauthorizedClient } from './oauth-errors.js';
import { grantedScope } from './scopes.js';

/** RFC 6749 §5.1: the successful token response (no refresh token for client credentials, §4.4.3). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * RFC 6749 §4.4: an access token for the authenticated API user, for one application it is
 * assigned to (RFC 8707 resource), with the scope it asked for.
 * @example await grantClientCredentials(deps, state, client, 'httpapi', 'account:read')
 * @throws UnauthorizedClient (no application at all), InvalidTarget, InvalidScope
 */
export async function grantClientCredentials(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, state: OAuthState, client: AuthenticatedClient, application: string, scope: string | undefined,
): Promise<TokenResponse> {
  if (client.applications.length === 0) throw new UnauthorizedClient(`${client.username} has no external application assigned, so it cannot get tokens; an administrator can assign one.`);
  if (!client.applications.includes(application)) {
    const exists = await findApplicationByKey(deps.db, client.organizationId, application);
    throw new InvalidTarget(exists
      ? `${client.username} may not connect as ${application}; its applications: ${client.applications.join(', ')}.`
      : `There is no application ${application} in this organization.`);
  }
  const granted = grantedScope(scope, application, client.applications);
  const { token, claims } = await signAccessToken(deps, state.keys, { sub: client.userId, client_id: client.username, aud: application, scope: granted });
  return { access_token: token, token_type: 'Bearer', expires_in: claims.exp - claims.iat, scope: granted };
}

import type { AppDeps } from '../../http/deps.js';
import type { HotRoute } from '../../http/hot-route.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { signAccessTokenWith } from './access-token-jwt.js';
import { readClientCredentials } from './client-credentials.js';
import { parseFormBody } from './form-body.js';
import type { OAuthState } from './oauth-state.js';
import { grantedScope, requestedApplication } from './scopes.js';

/** The media type the token route's parser takes (parameters such as charset allowed). */
const FORM = /^application\/x-www-form-urlencoded[ \t]*(;|$)/i;
/** RFC 6749 §5.1: a response carrying a token must not be stored. */
const NO_STORE = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/**
 * POST /oauth/token from memory: the client credentials grant for a client whose secret (its
 * password, client_secret_basic or client_secret_post) is in the verification cache, asking for
 * an application assigned to it and an allowed scope, while the active signing key is fresh in
 * memory. The token is signed here, as the route signs it. Anything else — a password not yet
 * verified (argon2id), an API key or a private_key_jwt client, any error, a key to re-read or
 * rotate — is the route's in token.routes.ts, which answers it exactly as before. Nothing is
 * counted or written on this path (the route writes nothing either: a grant is not a sign-in).
 * @example hot.add(tokenHotRoute(deps, verifier, state));
 */
export function tokenHotRoute(deps: Pick<AppDeps, 'config' | 'clock'>, verifier: CredentialVerifier, state: OAuthState): HotRoute {
  return {
    method: 'POST',
    url: '/oauth/token',
    maxBodyBytes: 4096,
    accept: ({ headers, ip }) => {
      const type = headers['content-type'];
      if (typeof type !== 'string' || !FORM.test(type)) return null;
      const authorization = headers.authorization;
      if (authorization !== undefined && typeof authorization !== 'string') return null;
      return (body) => {
        // The route refuses a NUL anywhere in the body (reject-nul.ts): its answer, not ours.
        if (body.includes('\u0000') || body.includes('%00')) return null;
        let answer: string;
        try {
          const form = parseFormBody(body);
          if (form.grant_type !== 'client_credentials' || form.client_assertion !== undefined || form.client_assertion_type !== undefined) return null;
          const credentials = readClientCredentials(authorization, form);
          if (credentials.method === 'private_key_jwt') return null;
          // The route tries the RFC 6749 §2.3.1 reading first; only that one is looked up here.
          const { clientId, secret } = credentials.candidates[0]!;
          if (secret.startsWith('au_key_')) return null;
          const verified = verifier.basic.cachedByKey(clientId, verifier.basic.cacheKeyOf(clientId, secret), ip);
          if (!verified) return null;
          const application = requestedApplication(form);
          if (!verified.applications.has(application)) return null;
          const signingKey = state.keys.signingKeyIfFresh();
          if (!signingKey) return null;
          const scope = grantedScope(form.scope, application, [...verified.applications]);
          const { token, claims } = signAccessTokenWith(deps, signingKey, { sub: verified.userId, client_id: verified.username, aud: application, scope });
          // The route's TokenResponseSchema, in its order.
          answer = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: claims.exp - claims.iat, scope });
        } catch {
          // A malformed or refused request: the route answers it with its RFC 6749 error.
          return null;
        }
        return { json: answer, bytes: Buffer.byteLength(answer), headers: NO_STORE };
      };
    },
  };
}

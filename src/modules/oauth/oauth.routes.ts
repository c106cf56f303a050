import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/deps.js';
import type { HotRoute } from '../../http/hot-route.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { createAccessTokenVerifier, createCachedAccessTokenPeek } from './access-token-verifier.js';
import { acceptFormBodiesOnly } from './form-body.js';
import { introspectionRoutes } from './introspection.routes.js';
import { jwksRoutes } from './jwks.routes.js';
import { metadataRoutes } from './metadata.routes.js';
import { installOAuthErrorHandler } from './oauth-error-handler.js';
import { createOAuthState } from './oauth-state.js';
import { revocationRoutes } from './revocation.routes.js';
import { tokenHotRoute } from './token.hot.js';
import { tokenRoutes } from './token.routes.js';

/**
 * The OAuth 2.0 authorization server: token, introspection, revocation, JWKS and metadata. An
 * encapsulated scope with its own body parser (forms only) and error handler (RFC 6749 §5.2
 * JSON), and the access token verifier the consumption and verify APIs use.
 * `addHotRoute` takes the token route's answer from memory (token.hot.ts) for the hot path.
 * @example await app.register(oauthRoutes(deps, verifier, (route) => hot.add(route)));
 */
export function oauthRoutes(deps: AppDeps, verifier: CredentialVerifier, addHotRoute: (route: HotRoute) => void = () => undefined): FastifyPluginAsyncTypebox {
  return async (app) => {
    const state = createOAuthState(deps);
    addHotRoute(tokenHotRoute(deps, verifier, state));
    verifier.accessTokens = createAccessTokenVerifier(deps, state);
    verifier.cachedAccessToken = createCachedAccessTokenPeek(deps, state);
    acceptFormBodiesOnly(app);
    installOAuthErrorHandler(app);
    await app.register(tokenRoutes(deps, verifier, state));
    await app.register(introspectionRoutes(deps, verifier, state));
    await app.register(revocationRoutes(deps, verifier, state));
    await app.register(jwksRoutes(state));
    await app.register(metadataRoutes(deps));
  };
}

import type { Config } from '../../config/config.js';

/**
 * The addresses of the authorization server: the issuer is PUBLIC_URL (RFC 8414 §2) and every
 * endpoint hangs off it.
 * @example oauthUrls(config).tokenEndpoint // 'http://127.0.0.1:3000/oauth/token'
 */
export function oauthUrls(config: Pick<Config, 'publicUrl'>) {
  const issuer = config.publicUrl;
  return {
    issuer,
    tokenEndpoint: `${issuer}/oauth/token`,
    introspectionEndpoint: `${issuer}/oauth/introspect`,
    revocationEndpoint: `${issuer}/oauth/revoke`,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    /** RFC 7523 §3: what a client assertion's aud may be. */
    assertionAudiences: [`${issuer}/oauth/token`, issuer],
  };
}

import type { VerifiedCredential } from '../api-auth/verification-cache.js';
import { AppError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { verifyClientAssertion } from './client-assertion.js';
import type { ClientCredentials } from './client-credentials.js';
import type { JwtIdLedger } from './jwt-id-ledger.js';
import type { OAuthClient } from './oauth-client.repository.js';
import { ClientAuthThrottled, InvalidClient } from './oauth-errors.js';

export interface AuthenticatedClient extends OAuthClient {
  method: ClientCredentials['method'];
}

export interface ClientAuthContext {
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>;
  verifier: CredentialVerifier;
  jwtIds: JwtIdLedger;
  ip: string;
}

/** Same answer for an unknown client and a wrong secret: it tells a guesser nothing. */
const WRONG_SECRET = 'The client id or secret is incorrect.';

/** The API user authenticators' errors, as RFC 6749 §5.2 invalid_client. */
function asInvalidClient(error: unknown): never {
  if (!(error instanceof AppError) || error.status >= 500) throw error;
  if (error.code === 'api_user.too_many_attempts') throw new ClientAuthThrottled(error.detail, Number(error.extra.retry_after ?? 60));
  if (error.code === 'auth.account_disabled') throw new InvalidClient(error.detail);
  throw new InvalidClient(WRONG_SECRET);
}

/**
 * The client secret is the API user's password or one of its API keys. A password goes through
 * the Basic authenticator (argon2 once, then cached; failures throttled). The application rule is
 * the grant's to apply, so it is not checked here. Answers what was verified, which the
 * verification cache keeps: a repeated grant reads nothing from the database.
 */
async function verifySecret(ctx: ClientAuthContext, clientId: string, secret: string): Promise<VerifiedCredential> {
  if (secret.startsWith('au_key_')) {
    const verified = await ctx.verifier.keys.verify(secret).catch(asInvalidClient);
    if (verified.username !== clientId) throw new InvalidClient(WRONG_SECRET);
    return verified;
  }
  return ctx.verifier.basic.authenticate(clientId, secret, null, ctx.ip).catch(asInvalidClient);
}

/** Tries each reading of the secret (RFC 6749 §2.3.1 encoded first, then raw); the first that verifies wins. */
async function authenticateWithSecret(ctx: ClientAuthContext, candidates: Array<{ clientId: string; secret: string }>): Promise<VerifiedCredential> {
  let failure: unknown = null;
  for (const { clientId, secret } of candidates) {
    try {
      return await verifySecret(ctx, clientId, secret);
    } catch (error) {
      failure = error;
      // Only a wrong secret is worth a second reading; throttled or disabled is final.
      if (!(error instanceof InvalidClient) || error instanceof ClientAuthThrottled || error.description !== WRONG_SECRET) break;
    }
  }
  throw failure ?? new InvalidClient(WRONG_SECRET);
}

/**
 * Authenticates the OAuth client (an API user) by the method it chose. `application` is the one
 * the client asks a token for (null for introspection and revocation).
 * @example const client = await authenticateClient(ctx, readClientCredentials(request.headers.authorization, body), 'httpapi', [tokenUrl, issuer]);
 * @throws InvalidClient (401) or ClientAuthThrottled (429)
 */
export async function authenticateClient(ctx: ClientAuthContext, credentials: ClientCredentials, application: string | null, audiences: string[]): Promise<AuthenticatedClient> {
  if (credentials.method === 'private_key_jwt') {
    const client = await verifyClientAssertion(ctx.deps, ctx.jwtIds, credentials.assertion, credentials.clientId, audiences);
    return { ...client, method: credentials.method };
  }
  // A verified secret means an enabled API user (verification refuses disabled ones, and any
  // change to the user drops the cached verification).
  const verified = await authenticateWithSecret(ctx, credentials.candidates);
  return {
    userId: verified.userId, organizationId: verified.organizationId, username: verified.username, status: 'enabled',
    rateLimitTier: verified.rateLimitTier, applications: [...verified.applications], method: credentials.method,
  };
}

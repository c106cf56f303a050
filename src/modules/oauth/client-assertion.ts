import { decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { AppDeps } from '../../http/deps.js';
import type { JwtIdLedger } from './jwt-id-ledger.js';
import { findOAuthClientByUsername, type OAuthClient } from './oauth-client.repository.js';
import { InvalidClient } from './oauth-errors.js';
import { listAssertionKeys, recordPublicKeyUse } from './public-key.repository.js';

/** Signature algorithms accepted for client assertions (token_endpoint_auth_signing_alg_values_supported). */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'];
/** A client assertion may be valid for at most this long from now: a stolen one is soon useless. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** RFC 7523 §3: some leeway for the client's clock (its iat and nbf are often "now" by its clock). */
const CLOCK_SKEW_SECONDS = 30;

type Deps = Pick<AppDeps, 'db' | 'clock'>;

function unverifiedParts(assertion: string) {
  try {
    return { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) };
  } catch {
    throw new InvalidClient('client_assertion is not a signed JWT (RFC 7523 §2.2).');
  }
}

/** Tries each registered key the header allows; the first that verifies the signature wins. */
async function verifyWithRegisteredKeys(deps: Deps, client: OAuthClient, assertion: string, alg: string, kid: string | undefined, audiences: string[]) {
  const now = deps.clock.now();
  for (const row of await listAssertionKeys(deps.db, client.userId, now.toISOString(), kid)) {
    const jwk = JSON.parse(row.public_jwk ?? '{}') as JWK;
    if ((jwk.alg && jwk.alg !== alg) || (jwk.use && jwk.use !== 'sig')) continue;
    const key = await importJWK(jwk, alg).catch(() => null);
    if (!key) continue;
    try {
      const { payload } = await jwtVerify(assertion, key, {
        algorithms: ASSERTION_ALGORITHMS, issuer: client.username, subject: client.username, audience: audiences,
        currentDate: now, clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ['exp', 'jti'],
      });
      return { payload, keyId: row.id };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      if (error instanceof errors.JWTExpired) throw new InvalidClient('The client assertion has expired.');
      if (error instanceof errors.JWTClaimValidationFailed) throw new InvalidClient(`The client assertion's ${error.claim} claim is not valid: ${error.reason === 'check_failed' ? `expected ${error.claim === 'aud' ? audiences.join(' or ') : 'the client id'}` : error.reason}.`);
      throw new InvalidClient('The client assertion is not valid.');
    }
  }
  throw new InvalidClient(`No public key registered on ${client.username}${kid ? ` with kid ${kid}` : ''} verifies the client assertion's signature.`);
}

/**
 * private_key_jwt (RFC 7523 §2.2, §3): a JWT the client signed with a key registered on its API
 * user. iss = sub = client id; aud = the token endpoint or the issuer; exp required and at most
 * five minutes ahead; jti never used twice (kept until exp).
 * @example const client = await verifyClientAssertion(deps, ledger, body.client_assertion, body.client_id ?? null, [tokenUrl, issuer]);
 * @throws InvalidClient
 */
export async function verifyClientAssertion(deps: Deps, ledger: JwtIdLedger, assertion: string, clientId: string | null, audiences: string[]): Promise<OAuthClient> {
  const { header, claims } = unverifiedParts(assertion);
  if (typeof claims.sub !== 'string' || claims.iss !== claims.sub) throw new InvalidClient('The client assertion must have iss and sub both equal to the client id (RFC 7523 §3).');
  if (clientId !== null && clientId !== claims.sub) throw new InvalidClient('client_id differs from the client assertion\'s sub.');
  if (!header.alg || !ASSERTION_ALGORITHMS.includes(header.alg)) throw new InvalidClient(`The client assertion's alg must be one of ${ASSERTION_ALGORITHMS.join(', ')}.`);
  const client = await findOAuthClientByUsername(deps.db, claims.sub);
  if (!client) throw new InvalidClient('The client assertion names an unknown client.');
  const { payload, keyId } = await verifyWithRegisteredKeys(deps, client, assertion, header.alg, header.kid, audiences);
  await checkLifetimeAndReplay(deps, ledger, client, payload);
  if (client.status !== 'enabled') throw new InvalidClient(`${client.username} is disabled; an administrator can enable it.`);
  await recordPublicKeyUse(deps.db, keyId, deps.clock.now().toISOString());
  return client;
}

async function checkLifetimeAndReplay(deps: Deps, ledger: JwtIdLedger, client: OAuthClient, payload: JWTPayload): Promise<void> {
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (payload.exp! - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw new InvalidClient(`The client assertion's exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead; make it short-lived.`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) throw new InvalidClient('The client assertion needs a jti of 1 to 200 characters.');
  if (!(await ledger.recordAssertion(client.userId, payload.jti, new Date(payload.exp! * 1000)))) {
    throw new InvalidClient('This client assertion was already used; sign a new one with a fresh jti (RFC 7523 §3).');
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { BASIC_CHALLENGE, parseBasicAuthorization } from '../api-auth/basic-credentials.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import type { VerifiedCredential } from '../api-auth/verification-cache.js';
import { authenticateAccessToken } from '../sessions/session.service.js';

/** Where a SOAP call's credentials came from; see docs/soap.md "Authentication". */
export type Presented =
  | { source: 'http' }
  | { source: 'ws-security' | 'body'; username: string; password: string };

/** What a parsed SOAP request gives the credential code: its header blocks and body arguments. */
export interface SoapCredentialSource {
  request: FastifyRequest;
  /** The SOAP Header, as the soap package parsed it. */
  soapHeaders: Record<string, unknown> | undefined;
  /** `username` and `password` elements of the operation's request element. */
  bodyUsername: string | undefined;
  bodyPassword: string | undefined;
}

const PASSWORD_TEXT = /#PasswordText$/;
const CHALLENGE = `${BASIC_CHALLENGE}, Bearer realm="apiusers"`;

const textOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && '$value' in value) return String((value as { $value: unknown }).$value);
  return undefined;
};

/**
 * OASIS WS-Security UsernameToken Profile 1.1 §3.1: `wsse:Security/wsse:UsernameToken` with a
 * PasswordText password. PasswordDigest cannot be checked against a stored argon2 hash, so it is
 * refused by name rather than failing as a wrong password.
 */
function usernameToken(soapHeaders: Record<string, unknown> | undefined): { username: string; password: string } | null {
  const token = (soapHeaders?.Security as { UsernameToken?: Record<string, unknown> } | undefined)?.UsernameToken;
  if (!token || typeof token !== 'object') return null;
  const type = (token.Password as { attributes?: { Type?: string } } | undefined)?.attributes?.Type;
  if (type !== undefined && !PASSWORD_TEXT.test(type)) {
    throw appError('credential.malformed', 'The WS-Security password must be PasswordText (sent over HTTPS); PasswordDigest cannot be checked against a stored password hash.', {
      headers: { 'www-authenticate': BASIC_CHALLENGE },
    });
  }
  // The password exactly as sent (the server reads text untrimmed); usernames never hold spaces.
  return { username: textOf(token.Username)?.trim() ?? '', password: textOf(token.Password) ?? '' };
}

/**
 * The credentials of a call, first found wins: HTTP `Authorization` or `X-API-Key` (as REST),
 * then a WS-Security UsernameToken, then `username`/`password` elements in the body (dotdigital).
 */
export function presentedCredentials(source: SoapCredentialSource): Presented | null {
  const { request } = source;
  if (request.headers.authorization || request.headers['x-api-key']) return { source: 'http' };
  const token = usernameToken(source.soapHeaders);
  if (token) return { source: 'ws-security', ...token };
  if (source.bodyUsername !== undefined || source.bodyPassword !== undefined) {
    return { source: 'body', username: source.bodyUsername ?? '', password: source.bodyPassword ?? '' };
  }
  return null;
}

/**
 * Authenticates an API user exactly as GET /v2/account-info does: the same verifier, so the same
 * Basic throttling, verification cache, application rule, last sign-in and rate limit (whose
 * RateLimit headers are set on the reply). Credentials from WS-Security or the body take the
 * HTTP Basic path.
 * @throws AppError 401, 403 or 429, as REST
 */
export async function authenticateApiUser(
  verifier: CredentialVerifier, source: SoapCredentialSource, reply: FastifyReply, application: string,
): Promise<VerifiedCredential> {
  const { request } = source;
  const presented = presentedCredentials(source);
  if (!presented) {
    throw appError('auth.unauthenticated', 'Authenticate with HTTP Basic, a WS-Security UsernameToken (PasswordText), username and password elements in the request, or an API key.', {
      headers: { 'www-authenticate': CHALLENGE },
    });
  }
  // RFC 7617 §2: a user-id containing a colon cannot travel as Basic; API usernames never do.
  const credential = presented.source === 'http'
    ? verifier.credentialOf(request)
    : `Basic ${Buffer.from(`${presented.username}:${presented.password}`, 'utf8').toString('base64')}`;
  const verified = await verifier.verifyCredential(credential, application, request.ip, request.headers['user-agent'] ?? null);
  return verifier.applyLimit(verified, reply);
}

/**
 * Authenticates an administrator by personal access token, for the management operations:
 * `Authorization: Bearer <token>`, or the token as the password of HTTP Basic, the WS-Security
 * UsernameToken or the body credentials. A username, when given, must be the administrator's
 * email, so a token pasted under the wrong account fails loudly. Cookie sessions are not
 * accepted: a SOAP call is never made by a browser holding our session.
 * @returns the request context the services authorize and audit with
 */
export async function authenticateAdministrator(deps: AppDeps, source: SoapCredentialSource): Promise<RequestContext> {
  const { request } = source;
  const presented = presentedCredentials(source);
  let username: string | null = null;
  let token: string | null = null;
  if (presented?.source === 'http') {
    const authorization = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    const basic = bearer ? null : parseBasicAuthorization(authorization);
    if (bearer) token = bearer[1]!;
    else if (basic) ({ username, password: token } = basic);
  } else if (presented) {
    username = presented.username;
    token = presented.password;
  }
  if (!token) {
    throw appError('auth.unauthenticated', "API user management needs an administrator's personal access token: Authorization: Bearer <token>, or the token as the password (HTTP Basic, WS-Security UsernameToken or the password element) with the administrator's email as the username.", {
      headers: { 'www-authenticate': CHALLENGE },
    });
  }
  const userAgent = request.headers['user-agent'] ?? null;
  const principal = await authenticateAccessToken(deps, { ip: request.ip, userAgent }, token);
  if (!principal) {
    throw appError('auth.unauthenticated', 'The personal access token is unknown, revoked or expired.', { headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` } });
  }
  if (username && username.trim().toLowerCase() !== principal.email.toLowerCase()) {
    throw appError('auth.unauthenticated', 'The username must be the email of the administrator the access token belongs to, or be left empty.', {
      headers: { 'www-authenticate': CHALLENGE },
    });
  }
  return { principal, requestId: request.id, ip: request.ip, userAgent };
}

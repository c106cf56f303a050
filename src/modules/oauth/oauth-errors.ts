/**
 * OAuth protocol errors, one class per error code. There is no invalid_grant: client credentials
 * has no grant to be invalid, and a bad client assertion is invalid_client (RFC 7523 §3.2). The OAuth routes answer them as RFC 6749 §5.2
 * JSON `{error, error_description}`, never as problem+json: OAuth clients parse this shape.
 * @example throw new InvalidScope('"admin" is not a scope of this API user')
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(readonly description: string) {
    super(description);
  }
}

/** RFC 6749 §5.2: a parameter is missing, repeated, malformed or unsupported. */
export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 400;
}

/**
 * RFC 6749 §5.2: client authentication failed (401). The error handler adds the Basic challenge
 * unless the client authenticated in the body, where a challenge would be wrong: OAuth clients
 * read a 401 with WWW-Authenticate as an HTTP challenge and never see the JSON error.
 */
export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  readonly status: number = 401;
}

/**
 * Client authentication is throttled after repeated failures. RFC 6749 has no code for this, so
 * it stays `invalid_client`, with HTTP 429 and Retry-After (RFC 6585 §4) telling when to retry.
 */
export class ClientAuthThrottled extends InvalidClient {
  override readonly status = 429;
  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers['retry-after'] = String(retryAfterSeconds);
  }
}

/** RFC 6749 §5.2: the authenticated client may not use this grant. */
export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly status = 400;
}

/** RFC 6749 §5.2: the grant type is not supported (only client_credentials is). */
export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 400;
}

/** RFC 6749 §5.2: a requested scope is unknown or beyond what the client may do. */
export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
  readonly status = 400;
}

/** RFC 8707 §2: the resource (application) is unknown or not assigned to the client. */
export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target';
  readonly status = 400;
}

/** RFC 6750 §3.1: the bearer token (an administrator's access token) is missing or not valid. */
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly status = 401;
  override readonly headers: Record<string, string> = { 'www-authenticate': 'Bearer realm="apiusers", error="invalid_token"' };
}

/** RFC 6750 §3.1: the bearer token is valid but its role lacks the privilege. */
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  readonly status = 403;
  override readonly headers: Record<string, string> = { 'www-authenticate': 'Bearer realm="apiusers", error="insufficient_scope"' };
}

/** RFC 6749 §5.2 has no server error; §4.1.2.1 `server_error` is what OAuth clients know. */
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  readonly status = 500;
}

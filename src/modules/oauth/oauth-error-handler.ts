import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../http/app-error.js';
import { InvalidClient, InvalidRequest, OAuthError, ServerError } from './oauth-errors.js';

const BASIC_CHALLENGE = 'Basic realm="apiusers"';

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, so quotes,
 * backslashes and non-ASCII characters are replaced rather than sent.
 * @example oauthDescription('"x" is not known') // "'x' is not known"
 */
export function oauthDescription(text: string): string {
  return text.replaceAll('"', "'").replaceAll('\\', '/').replace(/[^\x20-\x7e]/g, '?');
}

/** Anything thrown in an OAuth route, as an OAuth error. @example toOAuthError(fastifyValidationError).error // 'invalid_request' */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof AppError) return error.status >= 500 ? new ServerError('The server could not process the request.') : new InvalidRequest(error.detail);
  const e = error as FastifyError;
  if (e.validation) return new InvalidRequest(`The request is not valid: ${e.message}.`);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new InvalidRequest('Send the parameters as an application/x-www-form-urlencoded body (RFC 6749 §4.4.2).');
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new InvalidRequest('The body is larger than this server accepts.');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new InvalidRequest(e.message);
  return new ServerError('The server could not process the request.');
}

/** Sends `{error, error_description}` with the error's status and headers; never cached (RFC 6749 §5.1). @example sendOAuthError(reply, new InvalidScope('…')) */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send({ error: error.error, error_description: oauthDescription(error.description) });
}

/**
 * Installs the OAuth error handler on this plugin scope only, so the OAuth routes never answer
 * problem+json while the rest of the service keeps RFC 9457.
 * @example installOAuthErrorHandler(app); // inside the OAuth plugin, before its routes
 */
export function installOAuthErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const oauth = toOAuthError(error);
    if (oauth.status >= 500) request.log.error({ err: error }, 'unhandled error in an OAuth route');
    else request.log.info({ error: oauth.error, status: oauth.status }, oauth.description);
    // RFC 6749 §5.2: a client that used (or could use) the Authorization header gets the Basic
    // challenge; one that chose client_secret_post or private_key_jwt gets the JSON error alone.
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (oauth instanceof InvalidClient && oauth.status === 401 && body.client_secret === undefined && body.client_assertion === undefined) {
      reply.header('www-authenticate', BASIC_CHALLENGE);
    }
    return sendOAuthError(reply, oauth);
  });
}

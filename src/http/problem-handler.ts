import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';
import { AppError, ERROR_CODES, type FieldError } from './app-error.js';

const LOCATIONS: Record<string, FieldError['location']> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Ajv errors -> `errors[]` with JSON pointers to the offending field. */
function fieldErrors(error: FastifyError): FieldError[] {
  const location = LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  return ((error.validation ?? []) as AjvIssue[]).map((issue) => {
    let pointer = issue.instancePath || '';
    if (issue.keyword === 'required') pointer += `/${String(issue.params.missingProperty)}`;
    if (issue.keyword === 'additionalProperties') pointer += `/${String(issue.params.additionalProperty)}`;
    const detail = issue.keyword === 'additionalProperties' ? 'is not a known field' : (issue.message ?? 'is invalid');
    return { location, pointer: pointer || '/', detail };
  });
}

/** Maps anything thrown in a request to an AppError; unknown errors become a generic 500. */
export function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError;
  if (e.validation) {
    const errors = fieldErrors(e);
    return new AppError('request.invalid', errors.map((f) => `${f.location} ${f.pointer}: ${f.detail}`).join('; '), { errors });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('request.malformed_json', e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'The body is empty but Content-Type is application/json; send a JSON object.'
        : `The body is not valid JSON: ${e.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('request.body_too_large', 'The body is larger than this server accepts (BODY_LIMIT).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('request.unsupported_media_type', 'Send the body as application/json.');
    default:
      break;
  }
  if (e instanceof SyntaxError || (e as { type?: string }).type === 'entity.parse.failed') {
    return new AppError('request.malformed_json', `The body is not valid JSON: ${e.message}`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('request.invalid', e.message);
  }
  return new AppError('internal', 'Something went wrong on our side. Quote the instance id when reporting it.', {}, { cause: error });
}

/** Renders an AppError as RFC 9457 application/problem+json. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError, publicUrl: string): FastifyReply {
  const { errors, headers, ...extensions } = error.extra;
  for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
  return reply
    .code(error.status)
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send({
      type: `${publicUrl}/problems/${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.detail,
      instance: request.id,
      code: error.code,
      ...(errors ? { errors } : {}),
      ...extensions,
    });
}

/**
 * Installs the error handler, and a not-found handler that answers 405 with `Allow` when the
 * path exists under another method (Fastify alone would say 404). `fallback` may answer a
 * not-found request first (the web UI's pages).
 */
export function installProblemHandlers(app: FastifyInstance, publicUrl: string, fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  const known = Router();
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[];
    for (const method of methods) {
      if (method === 'HEAD' || known.hasRoute(method, route.url)) continue;
      known.on(method, route.url, () => undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toAppError(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
    return sendProblem(request, reply, problem, publicUrl);
  });

  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return reply;
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => m !== request.method && known.find(m as 'GET', path));
    if (allowed.length > 0) {
      return sendProblem(request, reply, new AppError('request.method_not_allowed',
        `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } }), publicUrl);
    }
    return sendProblem(request, reply, new AppError('request.not_found', `There is nothing at ${request.method} ${path}.`), publicUrl);
  });
}

export const PROBLEM_CODES = ERROR_CODES;

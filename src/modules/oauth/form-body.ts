import type { FastifyInstance } from 'fastify';
import { InvalidRequest, InvalidTarget } from './oauth-errors.js';

/** An OAuth request body: each parameter once, as text. */
export type FormBody = Record<string, string>;

/**
 * Parses application/x-www-form-urlencoded (RFC 6749 Appendix B). RFC 6749 §3.1: a parameter
 * without a value is treated as omitted; §3.2: a parameter must not appear twice.
 * @example parseFormBody('grant_type=client_credentials&scope=app%3Ahttpapi') // { grant_type: 'client_credentials', scope: 'app:httpapi' }
 * @throws InvalidRequest for a repeated parameter, InvalidTarget for a repeated `resource`
 */
export function parseFormBody(text: string): FormBody {
  const entries = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (value === '') continue;
    if (entries.has(name)) {
      // RFC 8707 §2 allows several resources; a token here is for exactly one application.
      if (name === 'resource') throw new InvalidTarget('Request one application per token: send resource (or audience) once.');
      throw new InvalidRequest(`The parameter ${name} is repeated (RFC 6749 §3.2).`);
    }
    entries.set(name, value);
  }
  // fromEntries defines own properties, so a parameter named __proto__ cannot touch the prototype.
  return Object.fromEntries(entries);
}

/**
 * Makes form bodies the only kind this plugin scope accepts (JSON and anything else answer
 * invalid_request); the rest of the service keeps its JSON-only parsers.
 * @example acceptFormBodiesOnly(app); // inside the OAuth plugin, before its routes
 */
export function acceptFormBodiesOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
